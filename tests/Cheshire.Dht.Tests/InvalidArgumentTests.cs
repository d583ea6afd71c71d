using Cheshire.Protos.Dht;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Cheshire.Dht.Tests;

/// <summary>Every malformed request is refused with INVALID_ARGUMENT and a message naming what is wrong.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class InvalidArgumentTests(DhtCluster cluster)
{
    private static readonly Key GoodKey = new() { Name = "invalid-argument-tests" };
    private static readonly ByteString GoodData = ByteString.CopyFromUtf8("data");

    private static readonly Dictionary<string, (PutRequest Request, string Message)> PutCases = new()
    {
        ["no key"] = (new PutRequest { Data = GoodData }, "key is required"),
        ["short key id"] = (new PutRequest { Key = new Key { Id = ByteString.CopyFrom(new byte[19]) }, Data = GoodData }, "key.id must be 20 bytes"),
        ["long key id"] = (new PutRequest { Key = new Key { Id = ByteString.CopyFrom(new byte[32]) }, Data = GoodData }, "key.id must be 20 bytes"),
        ["empty key name"] = (new PutRequest { Key = new Key { Name = "" }, Data = GoodData }, "key.name must not be empty"),
        ["empty value"] = (new PutRequest { Key = GoodKey }, "data must not be empty"),
        ["value over 64 KiB"] = (new PutRequest { Key = GoodKey, Data = ByteString.CopyFrom(new byte[64 * 1024 + 1]) }, "the limit for this kind of value is 65536"),
        ["encrypted value over 64 KiB sealed"] = (new PutRequest
        {
            Key = GoodKey, Data = ByteString.CopyFrom(new byte[64 * 1024]), Kind = ValueKind.Encrypted, RecipientKey = ByteString.CopyFrom(new byte[32]),
        }, "the limit for this kind of value is 65488"),
        ["unknown kind"] = (new PutRequest { Key = GoodKey, Data = GoodData, Kind = (ValueKind)7 }, "kind 7 is not PLAIN"),
        ["encrypted without recipient"] = (new PutRequest { Key = GoodKey, Data = GoodData, Kind = ValueKind.Encrypted }, "recipient_key must be the recipient's 32-byte"),
        ["short recipient key"] = (new PutRequest
        {
            Key = GoodKey, Data = GoodData, Kind = ValueKind.Encrypted, RecipientKey = ByteString.CopyFrom(new byte[31]),
        }, "not 31 bytes"),
        ["recipient on a plain value"] = (new PutRequest { Key = GoodKey, Data = GoodData, RecipientKey = ByteString.CopyFrom(new byte[32]) }, "recipient_key applies to ENCRYPTED"),
        ["seq on a plain value"] = (new PutRequest { Key = GoodKey, Data = GoodData, Seq = 3 }, "seq applies to SIGNED and ENCRYPTED"),
        ["negative ttl"] = (new PutRequest { Key = GoodKey, Data = GoodData, Ttl = Duration.FromTimeSpan(TimeSpan.FromSeconds(-5)) }, "ttl must not be negative"),
        ["ttl over a day"] = (new PutRequest { Key = GoodKey, Data = GoodData, Ttl = Duration.FromTimeSpan(TimeSpan.FromHours(25)) }, "longer than the longest"),
        ["type over 64 bytes"] = (new PutRequest { Key = GoodKey, Data = GoodData, Type = new string('t', 65) }, "type must be at most 64 bytes"),
    };

    public static TheoryData<string> PutCaseNames => [.. PutCases.Keys];

    [Theory]
    [MemberData(nameof(PutCaseNames))]
    public async Task AnInvalidPutIsRefused(string name)
    {
        var (request, message) = PutCases[name];
        var error = await Assert.ThrowsAsync<RpcException>(() => cluster[0].Client.PutAsync(request, deadline: Values.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
    }

    [Theory]
    [InlineData(0, "key is required")]
    [InlineData(5, "key.id must be 20 bytes")]
    public async Task AGetOrListenWithABadKeyIsRefused(int keyLength, string message)
    {
        var key = keyLength == 0 ? null : new Key { Id = ByteString.CopyFrom(new byte[keyLength]) };
        var get = await Assert.ThrowsAsync<RpcException>(() => cluster[0].Client.GetAllAsync(new GetRequest { Key = key }));
        Assert.Equal(StatusCode.InvalidArgument, get.StatusCode);
        Assert.Contains(message, get.Status.Detail);

        using var listen = cluster[0].Client.Listen(new ListenRequest { Key = key }, deadline: Values.Deadline());
        var error = await Assert.ThrowsAsync<RpcException>(() => listen.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
    }

    [Fact]
    public async Task AGetWithABadDecryptionKeyIsRefused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => cluster[0].Client.GetAllAsync(
            new GetRequest { Key = GoodKey, DecryptionKey = ByteString.CopyFrom(new byte[5]) }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("decryption_key must be a 32-byte X25519 private key", error.Status.Detail);
    }

    [Theory]
    [InlineData("", "an endpoint is empty")]
    [InlineData("nonsense", "is not host:port")]
    [InlineData("127.0.0.1", "is not host:port")]
    [InlineData("127.0.0.1:0", "is not host:port")]
    [InlineData("localhost:99999", "is not host:port")]
    [InlineData("[::1", "does not name a host")]
    [InlineData("bad host!:4222", "does not name a host")]
    public async Task ABootstrapWithABadEndpointIsRefused(string endpoint, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => cluster[0].Client.BootstrapAsync(
            new BootstrapRequest { Endpoints = { "127.0.0.1:4222", endpoint } }, deadline: Values.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
    }

    [Fact]
    public async Task ABootstrapWithoutEndpointsIsRefused()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => cluster[0].Client.BootstrapAsync(new BootstrapRequest(), deadline: Values.Deadline()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at least one host:port", error.Status.Detail);
    }
}
