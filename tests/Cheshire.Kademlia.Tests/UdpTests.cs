using System.Net;
using Cheshire.Identity;
using Cheshire.Kademlia.Persistence;
using Cheshire.Kademlia.Transport;
using Cheshire.Kademlia.Values;

namespace Cheshire.Kademlia.Tests;

/// <summary>A handful of nodes over real UDP on loopback.</summary>
public sealed class UdpTests : IAsyncLifetime
{
    private static readonly KademliaOptions Options = new()
    {
        RequestTimeout = TimeSpan.FromMilliseconds(300),
        MaintenanceInterval = TimeSpan.FromMilliseconds(200),
        PersistContactsInterval = TimeSpan.FromMilliseconds(200),
        RateLimitPerSecond = 0,
    };

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cheshire-kad-" + Guid.NewGuid().ToString("N"));
    private readonly List<KademliaNode> _nodes = [];

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            using var identity = NodeIdentity.Generate();
            var node = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, 0), Options);
            await node.StartAsync();
            _nodes.Add(node);
        }
        foreach (var node in _nodes.Skip(1)) Assert.True(await node.BootstrapAsync([_nodes[0].EndPoint]) > 0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes) await node.DisposeAsync();
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task SixtyFourKibibyteValuesCrossRealSocketsInFragments()
    {
        using var alice = NodeIdentity.Generate();
        var key = NodeId.Hash("/udp/big");
        var data = new byte[64 * 1024];
        Random.Shared.NextBytes(data);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var put = await _nodes[1].PutAsync(key, DhtValue.Signed(key, 1, 1, data, alice), republish: false, cts.Token);
        Assert.Equal(_nodes.Count, put.Stored);
        var values = new List<DhtValue>();
        await foreach (var v in _nodes[4].GetAsync(key, cts.Token)) values.Add(v);
        Assert.Equal(data, Assert.Single(values).Data.ToArray());
        Assert.True(_nodes[4].Stats.MessagesReassembled > 0);
    }

    [Fact]
    public async Task APutToNodesThatGaveUsTokensStoresWhileItLooksUp()
    {
        var first = NodeId.Hash("/tokens/first");
        await _nodes[1].PutAsync(first, DhtValue.Plain(1, "learns the tokens"), republish: false);
        var key = NodeId.Hash("/tokens/second");
        var sent = _nodes[1].Stats.DatagramsOut;
        var put = await _nodes[1].PutAsync(key, DhtValue.Plain(2, "one round trip per node"), republish: false);
        var used = _nodes[1].Stats.DatagramsOut - sent;

        Assert.Equal(_nodes.Count, put.Stored);
        Assert.All(_nodes, n => Assert.Contains(n.StoredValues(), v => v.Key == key));
        // the 5 other nodes each got one find_node that carried the value; no separate put followed
        Assert.Equal(_nodes.Count - 1, used);
    }

    [Fact]
    public async Task PutGetAndListenAcrossNodes()
    {
        using var alice = NodeIdentity.Generate();
        using var bob = EncryptionKeyPair.Generate();
        var key = NodeId.Hash("/udp/alice");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var listen = _nodes[5].ListenAsync(key, cts.Token).GetAsyncEnumerator(cts.Token);

        await _nodes[1].PutAsync(key, DhtValue.Signed(key, 1, 1, "signed"u8, alice), republish: false, cts.Token);
        Assert.True(await listen.MoveNextAsync());
        Assert.Equal("signed"u8.ToArray(), listen.Current.Data.ToArray());

        await _nodes[2].PutAsync(key, DhtValue.Encrypted(key, 2, "sealed"u8, bob.PublicKey, alice, 1), republish: false, cts.Token);
        Assert.True(await listen.MoveNextAsync());
        Assert.True(listen.Current.TryDecrypt(key, bob, out var plain));
        Assert.Equal("sealed"u8.ToArray(), plain);

        var values = new List<DhtValue>();
        await foreach (var v in _nodes[4].GetAsync(key, cts.Token)) values.Add(v);
        Assert.Equal([1UL, 2UL], values.Select(v => v.Id).Order());
        Assert.All(values, v => Assert.True(v.VerifySignature(key)));
        Assert.True(_nodes[4].Stats.DatagramsIn > 0);
    }

    [Fact]
    public async Task IPv6LoopbackWorks()
    {
        using var a = NodeIdentity.Generate();
        using var b = NodeIdentity.Generate();
        await using var one = new KademliaNode(a, new UdpTransport(IPAddress.IPv6Loopback, 0), Options);
        await using var two = new KademliaNode(b, new UdpTransport(IPAddress.IPv6Loopback, 0), Options);
        await one.StartAsync();
        await two.StartAsync();
        Assert.Equal(1, await two.BootstrapAsync([one.EndPoint]));
        var key = NodeId.Hash("/v6");
        await two.PutAsync(key, DhtValue.Plain(1, "six"), republish: false);
        await foreach (var v in one.GetAsync(key))
        {
            Assert.Equal("six"u8.ToArray(), v.Data.ToArray());
            return;
        }
        Assert.Fail("value not found over IPv6");
    }

    [Fact]
    public async Task ARestartedNodeRejoinsFromSavedContactsAndKeepsItsValues()
    {
        using var identity = NodeIdentity.Generate();
        var key = NodeId.Hash("/persisted");
        int port;
        {
            var transport = new UdpTransport(IPAddress.Loopback, 0);
            port = transport.LocalEndPoint.Port;
            await using var node = new KademliaNode(identity, transport, Options, SqlitePersistence.InDirectory(_dir));
            Assert.Equal(0, await node.StartAsync()); // nothing saved yet
            await node.BootstrapAsync([_nodes[0].EndPoint]);
            await node.PutAsync(key, DhtValue.Plain(77, "kept"), republish: false);
            Assert.Contains(node.StoredValues(), v => v.Key == key);
        }
        {
            await using var node = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, port), Options, SqlitePersistence.InDirectory(_dir));
            var answered = await node.StartAsync(); // no bootstrap call
            Assert.True(answered > 0, "no saved contact answered");
            Assert.True(node.RoutingTable.Count >= _nodes.Count - 1);
            Assert.Contains(node.StoredValues(), v => v.Key == key && v.Value.Id == 77);
            var found = await _nodes[3].FindNodeAsync(node.Id);
            Assert.Equal(node.Id, found.Closest[0].Id);
        }
    }

    [Fact]
    public async Task PublishedValuesSurviveARestartUntilPublishingStops()
    {
        using var identity = NodeIdentity.Generate();
        var key = NodeId.Hash("/published");
        var dir = Path.Combine(_dir, "published");
        {
            await using var node = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, 0), Options, SqlitePersistence.InDirectory(dir));
            await node.StartAsync();
            await node.BootstrapAsync([_nodes[0].EndPoint]);
            await node.PutAsync(key, DhtValue.Plain(1, "kept"), republish: true);
            await node.PutAsync(key, DhtValue.Plain(2, "stopped"), republish: true);
            Assert.True(node.StopRepublishing(key, 2));
        }
        var holder = _nodes.First(n => n.StoredValues().Any(v => v.Key == key && v.Value.Id == 1));
        DateTimeOffset Expires() => holder.StoredValues().Single(v => v.Key == key && v.Value.Id == 1).Expires;
        var before = Expires();
        {
            await using var node = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, 0), Options, SqlitePersistence.InDirectory(dir));
            await node.StartAsync();
            var published = Assert.Single(node.PublishedValues());
            Assert.Equal(key, published.Key);
            Assert.Equal("kept"u8.ToArray(), published.Value.Data.ToArray());
            // due at once: the first maintenance round after the restart puts it again on the network
            await node.BootstrapAsync([_nodes[0].EndPoint]);
            await node.MaintainOnce();
            // (the background maintenance round may have taken it first, its put still on the way: poll, bounded)
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Expires() <= before && DateTime.UtcNow < until) await Task.Delay(20);
            Assert.True(Expires() > before);
        }
    }

    [Fact]
    public async Task ARateLimitedCallerGetsATypedError()
    {
        using var identity = NodeIdentity.Generate();
        await using var strict = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, 0),
            Options with { RateLimitPerSecond = 1, RateLimitBurst = 2 });
        await strict.StartAsync();
        using var caller = NodeIdentity.Generate();
        await using var client = new KademliaNode(caller, new UdpTransport(IPAddress.Loopback, 0), Options);
        await client.StartAsync();
        await client.BootstrapAsync([strict.EndPoint]);
        var key = NodeId.Hash("/limited");
        // the client stores locally as one of the closest, so the refusal shows in the result's typed errors
        PutResult? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var result = await client.PutAsync(key, DhtValue.Plain((ulong)i, "x"), republish: false);
            if (result.Errors.ContainsKey(Wire.ErrorCode.ErrorRateLimited)) refused = result;
        }
        Assert.NotNull(refused);
        Assert.True(strict.Stats.RateLimited > 0);
    }
}
