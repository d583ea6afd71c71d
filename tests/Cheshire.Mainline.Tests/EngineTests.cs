using System.Net;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Storage;

namespace Cheshire.Mainline.Tests;

/// <summary>One network of 250 in-memory nodes shared by the tests of <see cref="EngineTests"/>.</summary>
public sealed class NetworkFixture : IAsyncLifetime
{
    internal Simulation Simulation { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Simulation = await Simulation.CreateAsync(250);

    public async ValueTask DisposeAsync() => await Simulation.DisposeAsync();
}

[Collection(HeavyCollection.Name)]
public class EngineTests(NetworkFixture fixture) : IClassFixture<NetworkFixture>
{
    private List<Engine.MainlineNode> Nodes => fixture.Simulation.Nodes;

    private Engine.MainlineNode Pick(int seed) => Nodes[new Random(seed).Next(Nodes.Count)];

    /// <summary>The k nodes closest to the target, leaving out the node that looks (a lookup never returns itself).</summary>
    private List<NodeId> TrueClosest(NodeId target, int k, Engine.MainlineNode? except = null) =>
        [.. Nodes.Where(n => n != except).Select(n => n.Id).OrderBy(id => id, Comparer<NodeId>.Create(target.CompareDistance)).Take(k)];

    [Fact]
    public void EveryNodeHasAPopulatedRoutingTable()
    {
        Assert.All(Nodes, n => Assert.InRange(n.RoutingTable.Count, 8, 160 * 8));
        Assert.All(Nodes, n => Assert.InRange(n.RoutingTable.BucketCount, 2, 160));
        // No loss on this network: timeouts only come from CPU contention with other tests.
        Assert.True(Nodes.Sum(n => n.Stats.Timeouts) * 100 < Nodes.Sum(n => n.Stats.QueriesSent.Values.Sum()));
        Assert.Equal(0, Nodes.Sum(n => n.Stats.RateLimited));
    }

    [Fact]
    public async Task FindNodeConvergesOnTheClosestNodes()
    {
        for (var i = 0; i < 5; i++)
        {
            var target = NodeId.Random();
            var found = await Pick(i).FindNodeAsync(target, TestContext.Current.CancellationToken);
            var expected = TrueClosest(target, 8, Pick(i));
            if (found.Select(f => f.Id).Intersect(expected).Count() < 7)
            {
                var me = Pick(i);
                var detail = new System.Text.StringBuilder($"lookup {i} found {found.Count(f => expected.Contains(f.Id))} of the 8 closest; target {target}; me {me.Id} table {me.RoutingTable.Count} stats {me.Stats}\n");
                foreach (var f in found)
                {
                    var n = Nodes.First(x => x.Id == f.Id);
                    detail.AppendLine($" found {f.Id} table {n.RoutingTable.Count} closest-known {string.Join(",", n.RoutingTable.Closest(target, 3).Select(c => c.Id.ToString()[..6]))} confirmed {string.Join(",", n.RoutingTable.Closest(target, 3, confirmedOnly: true).Select(c => c.Id.ToString()[..6]))}");
                }
                foreach (var e in expected)
                    detail.AppendLine($" expected {e} known by {Nodes.Count(x => x.RoutingTable.Find(e) is not null)}");
                Assert.Fail(detail.ToString());
            }
            Assert.Equal(expected[0], found[0].Id);
        }
    }

    [Fact]
    public async Task AnnounceThenGetPeersFromAnotherNode()
    {
        var infohash = NodeId.Random();
        var announcer = Pick(10);
        var result = await announcer.AnnounceAsync(infohash, 51413, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(result.NodesAnnounced >= 6, $"announced to {result.NodesAnnounced}");
        var implied = Pick(11);
        var impliedResult = await implied.AnnounceAsync(infohash, 0, impliedPort: true, TestContext.Current.CancellationToken);
        Assert.True(impliedResult.NodesAnnounced >= 6, $"announced to {impliedResult.NodesAnnounced}");
        Assert.Contains(new IPEndPoint(announcer.LocalEndPoint.Address, 51413), impliedResult.Peers);
        var peers = await Pick(12).GetPeersAsync(infohash, TestContext.Current.CancellationToken);
        Assert.Contains(new IPEndPoint(announcer.LocalEndPoint.Address, 51413), peers);
        Assert.Contains(implied.LocalEndPoint, peers);
        // The announce landed on the nodes closest to the infohash.
        var closest = TrueClosest(infohash, 8);
        Assert.True(Nodes.Where(n => closest.Contains(n.Id)).Count(n => n.Peers.Get(infohash, announcer.LocalEndPoint.AddressFamily).Count > 0) >= 6);
    }

    [Fact]
    public async Task CheshireNodesFindEachOther()
    {
        var salt = "test-network-" + Guid.NewGuid();
        var members = Enumerable.Range(20, 5).Select(Pick).Distinct().ToList();
        for (var i = 0; i < members.Count; i++)
            await members[i].AnnounceCheshireAsync(salt, 7000 + i, TestContext.Current.CancellationToken);
        var found = await Pick(30).FindCheshirePeersAsync(salt, TestContext.Current.CancellationToken);
        for (var i = 0; i < members.Count; i++)
            Assert.Contains(new IPEndPoint(members[i].LocalEndPoint.Address, 7000 + i), found);
        Assert.Equal(NodeId.Sha1("cheshire:" + salt), CheshireDiscovery.Infohash(salt));
    }

    [Fact]
    public async Task ImmutablePutAndGet()
    {
        var value = new BDictionary { ["hello"] = (BString)"world", ["n"] = new BInteger(42) };
        var put = await Pick(40).PutImmutableAsync(value, TestContext.Current.CancellationToken);
        Assert.True(put.Stored >= 6, $"stored on {put.Stored}");
        Assert.Equal(NodeId.Sha1(value.Encode()), put.Target);
        var item = await Pick(41).GetImmutableAsync(put.Target, TestContext.Current.CancellationToken);
        Assert.NotNull(item);
        Assert.Equal(value.Encode(), item.Value.ToArray());
        Assert.Null(await Pick(42).GetImmutableAsync(NodeId.Random(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MutablePutGetWithCasAndSeqErrors()
    {
        var ct = TestContext.Current.CancellationToken;
        using var key = Bep44.CreateKey();
        var publicKey = Bep44.PublicKeyOf(key);
        var salt = "profile"u8.ToArray();
        var writer = Pick(50);
        var first = await writer.PutMutableAsync(key, salt, 1, (BString)"v1", cancellationToken: ct);
        Assert.True(first.Stored >= 6);
        Assert.Equal(Bep44.MutableTarget(publicKey, salt), first.Target);
        var read = await Pick(51).GetMutableAsync(publicKey, salt, cancellationToken: ct);
        Assert.Equal(1, read!.Sequence);
        Assert.Equal("2:v1", System.Text.Encoding.ASCII.GetString(read.Value.Span));

        var second = await writer.PutMutableAsync(key, salt, 2, (BString)"v2", cas: 1, ct);
        Assert.True(second.Stored >= 6);
        var casMismatch = await writer.PutMutableAsync(key, salt, 3, (BString)"v3", cas: 1, ct);
        Assert.Equal(0, casMismatch.Stored);
        Assert.Contains(casMismatch.Errors, e => e.Code == KrpcErrorCode.CasMismatch);
        var tooOld = await writer.PutMutableAsync(key, salt, 1, (BString)"old", cancellationToken: ct);
        Assert.Equal(0, tooOld.Stored);
        Assert.Contains(tooOld.Errors, e => e.Code == KrpcErrorCode.SequenceTooOld);
        var latest = await Pick(52).GetMutableAsync(publicKey, salt, cancellationToken: ct);
        Assert.Equal(2, latest!.Sequence);
        Assert.True(Bep44.Verify(publicKey, salt, 2, latest.Value.Span, latest.Signature));
        // Without the salt it is another target: nothing there.
        Assert.Null(await Pick(53).GetMutableAsync(publicKey, cancellationToken: ct));
    }

    [Fact]
    public async Task StoreErrorsForBadPuts()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = Pick(60);
        var server = Pick(61);
        using var key = Bep44.CreateKey();
        var token = (await client.QueryAsync(server.LocalEndPoint, "get", new BDictionary { ["target"] = new BString(NodeId.Random().ToArray()) }, null, ct)).Body["token"];

        async Task<int> PutAsync(Action<BDictionary> edit)
        {
            var salt = "s"u8.ToArray();
            var v = (BString)"value";
            var args = new BDictionary
            {
                ["token"] = token, ["k"] = new BString(Bep44.PublicKeyOf(key)), ["seq"] = new BInteger(1), ["salt"] = new BString(salt),
                ["sig"] = new BString(Bep44.Sign(key, salt, 1, v.Encode())), ["v"] = v,
            };
            edit(args);
            var e = await Assert.ThrowsAsync<KrpcException>(() => client.QueryAsync(server.LocalEndPoint, "put", args, null, ct));
            return e.Code;
        }

        Assert.Equal(KrpcErrorCode.InvalidSignature, await PutAsync(a => a["seq"] = new BInteger(2)));
        Assert.Equal(KrpcErrorCode.SaltTooBig, await PutAsync(a => a["salt"] = new BString(new byte[65])));
        Assert.Equal(KrpcErrorCode.MessageTooBig, await PutAsync(a => a["v"] = new BString(new byte[1000])));
        Assert.Equal(KrpcErrorCode.Protocol, await PutAsync(a => a["token"] = (BString)"nope"));
        Assert.Equal(KrpcErrorCode.Protocol, await PutAsync(a => a["k"] = new BString(new byte[5])));
    }

    [Fact]
    public async Task QueryErrorsForUnknownMethodsAndMissingArguments()
    {
        var ct = TestContext.Current.CancellationToken;
        var client = Pick(70);
        var server = Pick(71).LocalEndPoint;
        Assert.Equal(KrpcErrorCode.MethodUnknown, (await Assert.ThrowsAsync<KrpcException>(() => client.QueryAsync(server, "frobnicate", new(), null, ct))).Code);
        Assert.Equal(KrpcErrorCode.Protocol, (await Assert.ThrowsAsync<KrpcException>(() => client.QueryAsync(server, "find_node", new(), null, ct))).Code);
        Assert.Equal(KrpcErrorCode.Protocol, (await Assert.ThrowsAsync<KrpcException>(() => client.QueryAsync(server, "announce_peer",
            new BDictionary { ["info_hash"] = new BString(new byte[20]), ["port"] = new BInteger(1), ["token"] = (BString)"12345678" }, null, ct))).Code);
    }

    [Fact]
    public async Task SampleInfohashesReportsStoredInfohashes()
    {
        var ct = TestContext.Current.CancellationToken;
        var infohash = NodeId.Random();
        await Pick(80).AnnounceAsync(infohash, 6000, cancellationToken: ct);
        var holder = Nodes.First(n => n.Peers.Get(infohash, System.Net.Sockets.AddressFamily.InterNetwork).Count > 0);
        var sample = await Pick(81).SampleInfohashesAsync(holder.LocalEndPoint, cancellationToken: ct);
        Assert.Equal(holder.Id, sample.Node.Id);
        Assert.Equal(holder.Peers.InfohashCount, sample.Count);
        Assert.Equal(300, sample.Interval);
        Assert.True(sample.Samples.Count == Math.Min(20, sample.Count));
        if (sample.Count <= 20)
            Assert.Contains(infohash, sample.Samples);
        Assert.NotEmpty(sample.Nodes);
    }

    [Fact]
    public async Task RepliesCarryTheRequestersAddressForBep42()
    {
        var node = Pick(90);
        await node.PingAsync(Pick(91).LocalEndPoint, TestContext.Current.CancellationToken);
        Assert.Equal(node.LocalEndPoint.Address, node.ExternalAddress);
        Assert.True(node.IdMatchesExternalAddress); // 10.x is exempt from BEP 42
    }

    [Fact]
    public void StatsCountQueries()
    {
        Assert.Equal("", string.Join("\n", Nodes.Select(n => n.LastInternalError?.ToString()).Where(e => e is not null).Distinct()));
        var total = Nodes.Sum(n => n.Stats.QueriesReceived.GetValueOrDefault("find_node"));
        Assert.True(total > 1000);
        Assert.True(Nodes[0].Stats.RoutingTableNodes > 0);
    }
}
