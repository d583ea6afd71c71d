using System.Security.Cryptography;
using System.Text;
using Cheshire.Protos;
using Cheshire.Protos.Mainline;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.MainlineDht.Tests;

/// <summary>Two mainline-dht processes on 127.0.0.1, B joined through A (Mainline:Bootstrap).</summary>
public sealed class TwoNodes : IAsyncLifetime
{
    public MainlineService A { get; private set; } = null!;
    public MainlineService B { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        A = await MainlineService.StartAsync(ct, settings: new Dictionary<string, string> { ["Mainline:CheshireDhtPort"] = "4501", ["Cheshire:Salt"] = "api-tests" });
        B = await MainlineService.StartAsync(ct, bootstrap: [A.EndPoint],
            settings: new Dictionary<string, string> { ["Mainline:CheshireDhtPort"] = "4502", ["Cheshire:Salt"] = "api-tests" });
        await A.WaitForNodeAsync(B.EndPoint, TimeSpan.FromSeconds(20), ct);
        await B.WaitForNodeAsync(A.EndPoint, TimeSpan.FromSeconds(20), ct);
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
    }
}

public sealed class ApiTests(TwoNodes nodes) : IClassFixture<TwoNodes>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static ByteString Sha1(string text) => ByteString.CopyFrom(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
    private static ByteString Bencoded(string text) => ByteString.CopyFromUtf8($"{Encoding.UTF8.GetByteCount(text)}:{text}");

    [Fact]
    public async Task GetInfo_names_the_module()
    {
        var info = await nodes.A.Client.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct);
        Assert.Equal("mainline-dht", info.Module);
        Assert.Equal(nodes.A.Process.ProcessId, info.ProcessId);
    }

    [Fact]
    public async Task Announce_through_one_node_is_found_by_the_other()
    {
        var infohash = Sha1("announce-test");
        var announced = await nodes.A.Client.AnnounceAsync(new AnnounceRequest { Infohash = infohash, Port = 7777 }, cancellationToken: Ct);
        Assert.True(announced.NodesAnnounced >= 1, "A announced to no node");
        var peers = await nodes.B.Client.GetPeersAsync(new GetPeersRequest { Infohash = infohash }, cancellationToken: Ct);
        Assert.Contains("127.0.0.1:7777", peers.Peers);
    }

    [Fact]
    public async Task Immutable_item_put_on_one_node_is_read_on_the_other()
    {
        var value = Bencoded("immutable via grpc " + Guid.NewGuid());
        var put = await nodes.A.Client.PutItemAsync(new PutItemRequest { Value = value }, cancellationToken: Ct);
        Assert.Equal(ByteString.CopyFrom(SHA1.HashData(value.Span)), put.Target);
        Assert.True(put.Stored >= 1);
        var got = await nodes.B.Client.GetItemAsync(new GetItemRequest { Target = put.Target }, cancellationToken: Ct);
        Assert.True(got.Found);
        Assert.Equal(value, got.Value);
    }

    [Fact]
    public async Task Mutable_item_is_signed_with_the_node_key_and_seq_advances()
    {
        var salt = ByteString.CopyFromUtf8("salt-" + Guid.NewGuid().ToString("N")[..8]);
        var first = await nodes.A.Client.PutItemAsync(new PutItemRequest { Value = Bencoded("v1"), Mutable = true, Salt = salt }, cancellationToken: Ct);
        Assert.Equal(1, first.Seq);
        Assert.Equal(32, first.PublicKey.Length);
        var second = await nodes.A.Client.PutItemAsync(new PutItemRequest { Value = Bencoded("v2"), Mutable = true, Salt = salt }, cancellationToken: Ct);
        Assert.Equal(2, second.Seq);
        Assert.Equal(first.PublicKey, second.PublicKey);
        Assert.True(second.Stored >= 1);

        var got = await nodes.B.Client.GetItemAsync(new GetItemRequest { PublicKey = first.PublicKey, Salt = salt }, cancellationToken: Ct);
        Assert.True(got.Found);
        Assert.Equal(Bencoded("v2"), got.Value);
        Assert.Equal(2, got.Seq);
        Assert.Equal(64, got.Signature.Length);

        // An older seq is refused by the node that holds seq 2 (BEP 44 error 302).
        var stale = await nodes.A.Client.PutItemAsync(new PutItemRequest { Value = Bencoded("old"), Mutable = true, Salt = salt, Seq = 1 }, cancellationToken: Ct);
        Assert.Contains(stale.Errors, e => e.StartsWith("302", StringComparison.Ordinal));
        var still = await nodes.B.Client.GetItemAsync(new GetItemRequest { PublicKey = first.PublicKey, Salt = salt }, cancellationToken: Ct);
        Assert.Equal(2, still.Seq);
    }

    [Fact]
    public async Task Missing_item_is_not_found()
    {
        var got = await nodes.B.Client.GetItemAsync(new GetItemRequest { Target = Sha1("never stored") }, cancellationToken: Ct);
        Assert.False(got.Found);
    }

    [Fact]
    public async Task Cheshire_nodes_find_each_other()
    {
        // Each node announces SHA1("cheshire:api-tests") with its Cheshire DHT port once it knows another node.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        FindCheshirePeersReply reply;
        do
        {
            reply = await nodes.B.Client.FindCheshirePeersAsync(new FindCheshirePeersRequest(), cancellationToken: Ct);
            if (reply.Peers.Contains("127.0.0.1:4501"))
                break;
            await Task.Delay(500, Ct);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(Sha1("cheshire:api-tests"), reply.Infohash);
        Assert.Contains("127.0.0.1:4501", reply.Peers);
        var other = await nodes.A.Client.FindCheshirePeersAsync(new FindCheshirePeersRequest { Salt = "another-network" }, cancellationToken: Ct);
        Assert.Empty(other.Peers);
    }

    [Fact]
    public async Task SampleInfohashes_lists_what_a_node_stores()
    {
        var infohash = Sha1("sample-test");
        await nodes.B.Client.AnnounceAsync(new AnnounceRequest { Infohash = infohash, Port = 8888 }, cancellationToken: Ct);
        var sample = await nodes.B.Client.SampleInfohashesAsync(new SampleInfohashesRequest { Endpoint = nodes.A.EndPoint }, cancellationToken: Ct);
        Assert.Contains(infohash, sample.Samples);
        Assert.True(sample.Num >= 1);
        Assert.Equal((await nodes.A.Client.StatsAsync(new StatsRequest(), cancellationToken: Ct)).NodeId, sample.NodeId);
    }

    [Fact]
    public async Task Stats_and_routing_table_describe_the_node()
    {
        var stats = await nodes.A.Client.StatsAsync(new StatsRequest(), cancellationToken: Ct);
        Assert.Equal(nodes.A.EndPoint, stats.Endpoint);
        Assert.Equal(20, stats.NodeId.Length);
        Assert.True(stats.RoutingTableNodes >= 1);
        Assert.True(stats.QueriesReceived.GetValueOrDefault("find_node") >= 1, "B's bootstrap sent A find_node queries");
        var table = await nodes.A.Client.RoutingTableAsync(new RoutingTableRequest(), cancellationToken: Ct);
        Assert.Equal(stats.NodeId, table.LocalId);
        var b = Assert.Single(table.Nodes, n => n.Endpoint == nodes.B.EndPoint);
        Assert.Contains(b.State, new[] { "good", "questionable" });
        Assert.Equal(20, b.Id.Length);
    }

    public static TheoryData<string> InvalidCalls => new()
    {
        "GetPeers infohash 19 bytes", "GetPeers infohash empty", "Announce infohash 21 bytes", "Announce port 0", "Announce port 70000",
        "PutItem value 1001 bytes", "PutItem value not bencode", "PutItem value empty", "PutItem salt 65 bytes",
        "PutItem seq with an immutable item", "PutItem seq negative", "GetItem target 10 bytes", "GetItem public_key 31 bytes",
        "GetItem salt 65 bytes", "SampleInfohashes endpoint garbage", "SampleInfohashes endpoint without port",
        "SampleInfohashes target 3 bytes",
    };

    [Theory]
    [MemberData(nameof(InvalidCalls))]
    public async Task Invalid_arguments_are_rejected_with_a_message(string call)
    {
        var c = nodes.A.Client;
        var key32 = ByteString.CopyFrom(new byte[32]);
        var ih = Sha1("x");
        Func<Task> action = call switch
        {
            "GetPeers infohash 19 bytes" => () => c.GetPeersAsync(new() { Infohash = ByteString.CopyFrom(new byte[19]) }, cancellationToken: Ct).ResponseAsync,
            "GetPeers infohash empty" => () => c.GetPeersAsync(new(), cancellationToken: Ct).ResponseAsync,
            "Announce infohash 21 bytes" => () => c.AnnounceAsync(new() { Infohash = ByteString.CopyFrom(new byte[21]), Port = 1 }, cancellationToken: Ct).ResponseAsync,
            "Announce port 0" => () => c.AnnounceAsync(new() { Infohash = ih, Port = 0 }, cancellationToken: Ct).ResponseAsync,
            "Announce port 70000" => () => c.AnnounceAsync(new() { Infohash = ih, Port = 70000 }, cancellationToken: Ct).ResponseAsync,
            "PutItem value 1001 bytes" => () => c.PutItemAsync(new() { Value = Bencoded(new string('a', 997)) }, cancellationToken: Ct).ResponseAsync,
            "PutItem value not bencode" => () => c.PutItemAsync(new() { Value = ByteString.CopyFromUtf8("5:abc") }, cancellationToken: Ct).ResponseAsync,
            "PutItem value empty" => () => c.PutItemAsync(new(), cancellationToken: Ct).ResponseAsync,
            "PutItem salt 65 bytes" => () => c.PutItemAsync(new() { Value = Bencoded("v"), Mutable = true, Salt = ByteString.CopyFrom(new byte[65]) }, cancellationToken: Ct).ResponseAsync,
            "PutItem seq with an immutable item" => () => c.PutItemAsync(new() { Value = Bencoded("v"), Seq = 3 }, cancellationToken: Ct).ResponseAsync,
            "PutItem seq negative" => () => c.PutItemAsync(new() { Value = Bencoded("v"), Mutable = true, Seq = -1 }, cancellationToken: Ct).ResponseAsync,
            "GetItem target 10 bytes" => () => c.GetItemAsync(new() { Target = ByteString.CopyFrom(new byte[10]) }, cancellationToken: Ct).ResponseAsync,
            "GetItem public_key 31 bytes" => () => c.GetItemAsync(new() { PublicKey = ByteString.CopyFrom(new byte[31]) }, cancellationToken: Ct).ResponseAsync,
            "GetItem salt 65 bytes" => () => c.GetItemAsync(new() { PublicKey = key32, Salt = ByteString.CopyFrom(new byte[65]) }, cancellationToken: Ct).ResponseAsync,
            "SampleInfohashes endpoint garbage" => () => c.SampleInfohashesAsync(new() { Endpoint = "not an endpoint" }, cancellationToken: Ct).ResponseAsync,
            "SampleInfohashes endpoint without port" => () => c.SampleInfohashesAsync(new() { Endpoint = "127.0.0.1" }, cancellationToken: Ct).ResponseAsync,
            "SampleInfohashes target 3 bytes" => () => c.SampleInfohashesAsync(new() { Endpoint = nodes.B.EndPoint, Target = ByteString.CopyFrom(new byte[3]) }, cancellationToken: Ct).ResponseAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        };
        var error = await Assert.ThrowsAsync<RpcException>(action);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var field = call.Split(' ')[1];
        Assert.Contains(field, error.Status.Detail);
    }
}
