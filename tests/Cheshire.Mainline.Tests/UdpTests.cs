using System.Net;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Tests;

/// <summary>Real UDP sockets on loopback only.</summary>
[Collection(HeavyCollection.Name)]
public class UdpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static MainlineOptions Options => new() { MaintenanceInterval = TimeSpan.Zero, QueryTimeout = TimeSpan.FromSeconds(1) };

    private static async Task<List<MainlineNode>> StartAsync(IPAddress bind, int count)
    {
        var nodes = Enumerable.Range(0, count).Select(_ => new MainlineNode(new UdpTransport(new IPEndPoint(bind, 0)), Options)).ToList();
        foreach (var node in nodes)
            node.Start();
        var seed = nodes[0].LocalEndPoint;
        foreach (var node in nodes.Skip(1))
            await node.BootstrapAsync([seed], Ct);
        await nodes[0].FindNodeAsync(nodes[0].Id, Ct);
        return nodes;
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task AnnounceGetPeersAndItemsOverLoopback(string address)
    {
        var nodes = await StartAsync(IPAddress.Parse(address), 6);
        try
        {
            Assert.All(nodes, n => Assert.True(n.RoutingTable.Count >= 3));
            var infohash = CheshireDiscovery.Infohash("udp-test");
            var announced = await nodes[1].AnnounceCheshireAsync("udp-test", 4242, Ct);
            Assert.True(announced.NodesAnnounced >= 3);
            var peers = await nodes[2].FindCheshirePeersAsync("udp-test", Ct);
            Assert.Contains(new IPEndPoint(IPAddress.Parse(address), 4242), peers);

            var put = await nodes[3].PutImmutableAsync((BString)"over udp", Ct);
            Assert.True(put.Stored >= 3);
            Assert.NotNull(await nodes[4].GetImmutableAsync(put.Target, Ct));
            using var key = Storage.Bep44.CreateKey();
            Assert.True((await nodes[3].PutMutableAsync(key, default, 1, (BString)"m", cancellationToken: Ct)).Stored >= 3);
            Assert.Equal(1, (await nodes[5].GetMutableAsync(Storage.Bep44.PublicKeyOf(key), cancellationToken: Ct))!.Sequence);
            Assert.Equal(IPAddress.Parse(address), nodes[1].ExternalAddress);
        }
        finally
        {
            foreach (var node in nodes)
                await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task DualStackNodeServesBothFamilies()
    {
        await using var dual = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.IPv6Any, 0)), Options);
        dual.Start();
        var port = dual.LocalEndPoint.Port;
        await using var v4 = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0)), Options);
        await using var v6 = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.IPv6Loopback, 0)), Options);
        v4.Start();
        v6.Start();
        Assert.Equal(dual.Id, await v4.PingAsync(new IPEndPoint(IPAddress.Loopback, port), Ct));
        Assert.Equal(dual.Id, await v6.PingAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), Ct));
        // The dual-stack node confirms both newcomers with a ping of its own.
        for (var i = 0; i < 50 && dual.RoutingTable.Nodes.Count(n => n.LastResponse is not null) < 2; i++)
            await Task.Delay(40, Ct);
        // The dual-stack node keeps IPv4 peers as IPv4 (not v4-mapped) and answers with both node lists.
        Assert.Contains(dual.RoutingTable.Nodes, n => n.EndPoint.Equals(v4.LocalEndPoint));
        Assert.Contains(dual.RoutingTable.Nodes, n => n.EndPoint.Equals(v6.LocalEndPoint));
        var reply = await v6.QueryAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), "find_node",
            new BDictionary { ["target"] = new BString(NodeId.Random().ToArray()), ["want"] = new BList([(BString)"n4", (BString)"n6"]) }, null, Ct);
        Assert.True(reply.Body.Get<BString>("nodes")!.Length >= Krpc.Compact.Node4);
        Assert.True(reply.Body.Get<BString>("nodes6")!.Length >= Krpc.Compact.Node6);
    }

    [Fact]
    public async Task SeparateNodesPerFamilyShareOnePort()
    {
        await using var v4 = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.Any, 0)), Options);
        var port = v4.LocalEndPoint.Port;
        await using var v6 = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.IPv6Any, port), dualStack: false), Options);
        v4.Start();
        v6.Start();
        await using var client6 = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.IPv6Loopback, 0)), Options);
        await using var client4 = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0)), Options);
        client6.Start();
        client4.Start();
        Assert.Equal(v6.Id, await client6.PingAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), Ct));
        Assert.Equal(v4.Id, await client4.PingAsync(new IPEndPoint(IPAddress.Loopback, port), Ct));
        var reply = await client6.QueryAsync(new IPEndPoint(IPAddress.IPv6Loopback, port), "find_node",
            new BDictionary { ["target"] = new BString(NodeId.Random().ToArray()) }, null, Ct);
        Assert.False(reply.Body.ContainsKey("nodes"));
        Assert.True(reply.Body.ContainsKey("nodes6"));
    }
}
