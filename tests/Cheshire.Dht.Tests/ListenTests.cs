using System.Diagnostics;
using Cheshire.Kademlia.Values;
using Cheshire.Protos.Dht;
using ValueKind = Cheshire.Protos.Dht.ValueKind;
using Google.Protobuf;

namespace Cheshire.Dht.Tests;

/// <summary>Listen on one instance, put on another.</summary>
[Collection(nameof(ClusterCollection))]
public sealed class ListenTests(DhtCluster cluster)
{
    public static readonly TimeSpan NotifyTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(ValueKind.Plain)]
    [InlineData(ValueKind.Signed)]
    [InlineData(ValueKind.Encrypted)]
    public async Task AListenerOnOneNodeHearsOfValuesPutOnAnother(ValueKind kind)
    {
        using var recipient = EncryptionKeyPair.Generate();
        var key = Values.UniqueKey("listen");
        PutRequest Request(string text) => new()
        {
            Key = key,
            Data = Values.Text(text),
            Kind = kind,
            RecipientKey = kind == ValueKind.Encrypted ? ByteString.CopyFrom(recipient.PublicKey) : ByteString.Empty,
        };
        await cluster[0].Client.PutAsync(Request("before"), deadline: Values.Deadline());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var listen = cluster[2].Client.Listen(new ListenRequest
        {
            Key = key, DecryptionKey = ByteString.CopyFrom(recipient.ExportPrivateKey()),
        }, cancellationToken: cts.Token);
        var current = await Values.NextMatchingAsync(listen.ResponseStream, _ => true, NotifyTimeout);
        Assert.Equal("before", current.Data.ToStringUtf8());

        var watch = Stopwatch.StartNew();
        await cluster[1].Client.PutAsync(Request("after"), deadline: Values.Deadline());
        var update = await Values.NextMatchingAsync(listen.ResponseStream, v => v.Data.ToStringUtf8() == "after", NotifyTimeout);
        watch.Stop();

        Assert.Equal(kind, update.Kind);
        Assert.Equal(kind == ValueKind.Encrypted, update.Decrypted);
        // a notification, not the listener's renewal a minute later (half ListenTtl): bounded loosely for a loaded machine
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"notified after {watch.Elapsed}");
    }

    [Fact]
    public async Task AListenEndsWhenTheClientCancels()
    {
        var key = Values.UniqueKey("cancel");
        await cluster[1].Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("x") }, deadline: Values.Deadline());
        var node = cluster[0];
        var before = (await node.RefreshInfoAsync()).Stats.ActiveListens;

        using (var cts = new CancellationTokenSource())
        {
            using var listen = node.Client.Listen(new ListenRequest { Key = key }, cancellationToken: cts.Token);
            await Values.NextMatchingAsync(listen.ResponseStream, _ => true, NotifyTimeout);
            Assert.Equal(before + 1, (await node.RefreshInfoAsync()).Stats.ActiveListens);
            await cts.CancelAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await node.RefreshInfoAsync()).Stats.ActiveListens != before && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.Equal(before, node.Info.Stats.ActiveListens);
    }
}
