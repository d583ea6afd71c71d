using System.Net;
using System.Net.Sockets;
using System.Text;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Tests;

/// <summary>Engine behaviour on small in-memory networks with special settings.</summary>
[Collection(HeavyCollection.Name)]
public class EngineBehaviourTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnnounceTokensRotateAndThePreviousOneIsAccepted()
    {
        var clock = new ManualClock();
        await using var sim = new Simulation();
        var server = sim.Add(Simulation.DefaultOptions with { Clock = clock });
        var client = sim.Add();
        var infohash = NodeId.Random();
        var token = (await client.QueryAsync(server.LocalEndPoint, "get_peers", new BDictionary { ["info_hash"] = new BString(infohash.ToArray()) }, null, Ct)).Body["token"];

        BDictionary Announce() => new() { ["info_hash"] = new BString(infohash.ToArray()), ["port"] = new BInteger(1234), ["token"] = token };

        await client.QueryAsync(server.LocalEndPoint, "announce_peer", Announce(), null, Ct);
        clock.Advance(TimeSpan.FromMinutes(5));
        await client.QueryAsync(server.LocalEndPoint, "announce_peer", Announce(), null, Ct);
        clock.Advance(TimeSpan.FromMinutes(5));
        var e = await Assert.ThrowsAsync<KrpcException>(() => client.QueryAsync(server.LocalEndPoint, "announce_peer", Announce(), null, Ct));
        Assert.Equal(KrpcErrorCode.Protocol, e.Code);
        // A token issued to another address is refused.
        var other = sim.Add();
        var clientToken = (await client.QueryAsync(server.LocalEndPoint, "get_peers", new BDictionary { ["info_hash"] = new BString(infohash.ToArray()) }, null, Ct)).Body["token"];
        var stolen = await Assert.ThrowsAsync<KrpcException>(() => other.QueryAsync(server.LocalEndPoint, "announce_peer",
            new BDictionary { ["info_hash"] = new BString(infohash.ToArray()), ["port"] = new BInteger(1), ["token"] = clientToken }, null, Ct));
        Assert.Equal(KrpcErrorCode.Protocol, stolen.Code);
        Assert.Equal([new IPEndPoint(client.LocalEndPoint.Address, 1234)], server.Peers.Get(infohash, AddressFamily.InterNetwork));
    }

    [Fact]
    public async Task ReadOnlyNodesAreNotAddedAndDoNotAnswer()
    {
        await using var sim = await Simulation.CreateAsync(30);
        var readOnly = sim.Add(Simulation.DefaultOptions with { ReadOnly = true, QueryTimeout = TimeSpan.FromMilliseconds(300) });
        await readOnly.BootstrapAsync([sim.Nodes[0].LocalEndPoint], Ct);
        Assert.True(readOnly.RoutingTable.Count >= 8);
        var infohash = NodeId.Random();
        await sim.Nodes[5].AnnounceAsync(infohash, 4000, cancellationToken: Ct);
        Assert.NotEmpty(await readOnly.GetPeersAsync(infohash, Ct));
        Assert.All(sim.Nodes.Where(n => n != readOnly), n => Assert.Null(n.RoutingTable.Find(readOnly.Id)));
        Assert.Null(await sim.Nodes[1].PingAsync(readOnly.LocalEndPoint, Ct));
        Assert.Empty(readOnly.Stats.QueriesReceived);
    }

    [Fact]
    public async Task PerIpRateLimitAnswersWithErrorsThenDrops()
    {
        await using var sim = new Simulation();
        var server = sim.Add(Simulation.DefaultOptions with
        {
            RateLimits = new RateLimitOptions { PerIpQueriesPerSecond = 0.01, PerIpBurst = 3, PerIpErrorsPerSecond = 0.01, PerIpErrorBurst = 2 },
        });
        // Read-only, so the server does not ping it back (which would spend the client's own replies' budget).
        // 2 s: a reply that comes must count as one on a loaded machine; the dropped ones simply take that long
        var client = sim.Add(Simulation.DefaultOptions with { QueryTimeout = TimeSpan.FromSeconds(2), ReadOnly = true });
        var outcomes = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            try
            {
                await client.QueryAsync(server.LocalEndPoint, "ping", new(), null, Ct);
                outcomes.Add("ok");
            }
            catch (KrpcException e)
            {
                outcomes.Add(e.Code.ToString());
            }
            catch (TimeoutException)
            {
                outcomes.Add("timeout");
            }
        }
        Assert.Equal(["ok", "ok", "ok", "202", "202", "timeout", "timeout"], outcomes);
        Assert.Equal(4, server.Stats.RateLimited);
        // Another address is not affected.
        Assert.NotNull(await sim.Add().PingAsync(server.LocalEndPoint, Ct));
    }

    [Fact]
    public async Task MalformedDatagramsGetProtocolErrorsOrSilence()
    {
        await using var sim = new Simulation();
        var node = sim.Add();
        var raw = sim.Network.Bind();
        // silence is awaited 300 ms; an expected reply up to 3 s
        async Task<KrpcMessage?> ExchangeAsync(string text, int waitMilliseconds = 300)
        {
            await raw.SendAsync(Encoding.Latin1.GetBytes(text), node.LocalEndPoint, Ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(waitMilliseconds);
            try
            {
                while (true)
                {
                    var message = KrpcMessage.Parse((await raw.ReceiveAsync(timeout.Token)).Data);
                    if (message.Type != KrpcMessageType.Query)
                        return message; // the node pings newcomers; skip those
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        Assert.Null(await ExchangeAsync("garbage"));
        Assert.Null(await ExchangeAsync("d1:y1:qe"));
        Assert.Null(await ExchangeAsync("i1e"));
        var noArgs = await ExchangeAsync("d1:q4:ping1:t2:xy1:y1:qe", 3000);
        Assert.Equal(KrpcMessageType.Error, noArgs!.Type);
        Assert.Equal(KrpcErrorCode.Protocol, noArgs.ErrorCode);
        Assert.Equal("xy", Encoding.ASCII.GetString(noArgs.TransactionId.Span));
        Assert.Equal(raw.LocalEndPoint, noArgs.ExternalIp);
        var badId = await ExchangeAsync("d1:ad2:id3:abce1:q4:ping1:t2:zz1:y1:qe", 3000);
        Assert.Equal(KrpcErrorCode.Protocol, badId!.ErrorCode);
        var ping = await ExchangeAsync("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", 3000);
        Assert.Equal(KrpcMessageType.Response, ping!.Type);
        Assert.Equal(node.Id, ping.SenderId);
        Assert.Equal("CS\0\u0001", Encoding.Latin1.GetString(ping.Version!.Value.Span));
        // An unsolicited response is ignored.
        Assert.Null(await ExchangeAsync("d1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y1:re"));
        Assert.Equal(4, node.Stats.MalformedReceived);
    }

    [Fact]
    public async Task Ipv6NetworkUsesNodes6AndIpv6Peers()
    {
        await using var sim = await Simulation.CreateAsync(40, i => new IPEndPoint(IPAddress.Parse($"fd00::{i + 1:x}"), 6881));
        var target = NodeId.Random();
        var found = await sim.Nodes[3].FindNodeAsync(target, Ct);
        var expected = sim.Nodes.Select(n => n.Id).OrderBy(id => id, Comparer<NodeId>.Create(target.CompareDistance)).Take(8);
        Assert.True(found.Select(f => f.Id).Intersect(expected).Count() >= 7);
        Assert.All(found, f => Assert.Equal(AddressFamily.InterNetworkV6, f.EndPoint.AddressFamily));

        var infohash = NodeId.Random();
        await sim.Nodes[4].AnnounceAsync(infohash, 9999, cancellationToken: Ct);
        var peers = await sim.Nodes[5].GetPeersAsync(infohash, Ct);
        Assert.Contains(new IPEndPoint(sim.Nodes[4].LocalEndPoint.Address, 9999), peers);

        var reply = await sim.Nodes[6].QueryAsync(sim.Nodes[7].LocalEndPoint, "find_node",
            new BDictionary { ["target"] = new BString(target.ToArray()), ["want"] = new BList([(BString)"n4", (BString)"n6"]) }, null, Ct);
        Assert.Equal(0, reply.Body.Get<BString>("nodes")!.Length);
        Assert.Equal(0, reply.Body.Get<BString>("nodes6")!.Length % Compact.Node6);
        Assert.True(reply.Body.Get<BString>("nodes6")!.Length > 0);
        var defaultFamily = await sim.Nodes[6].QueryAsync(sim.Nodes[7].LocalEndPoint, "find_node", new BDictionary { ["target"] = new BString(target.ToArray()) }, null, Ct);
        Assert.False(defaultFamily.Body.ContainsKey("nodes"));
        Assert.True(defaultFamily.Body.ContainsKey("nodes6"));
    }

    [Fact]
    public async Task SnapshotRestoresTheRoutingTableInANewProcess()
    {
        await using var sim = await Simulation.CreateAsync(40);
        var original = sim.Nodes[10];
        var bytes = original.CreateSnapshot().Encode();
        var snapshot = RoutingTableSnapshot.Decode(bytes);
        Assert.Equal(original.RoutingTable.Count, snapshot.Nodes.Count);

        // The process restarts: same id, same endpoint.
        await original.DisposeAsync();
        sim.Nodes.Remove(original);
        var restored = sim.Add(Simulation.DefaultOptions with { NodeId = snapshot.LocalId }, original.LocalEndPoint);
        restored.Restore(snapshot);
        Assert.Equal(snapshot.Nodes.Count, restored.RoutingTable.Count);
        Assert.All(restored.RoutingTable.Nodes, n => Assert.Null(n.LastResponse));
        await restored.RunMaintenanceAsync(Ct);
        Assert.Contains(restored.RoutingTable.Nodes, n => n.LastResponse is not null);
        var target = NodeId.Random();
        var found = await restored.FindNodeAsync(target, Ct);
        Assert.Equal(sim.Nodes.Where(n => n != restored).Select(n => n.Id).OrderBy(id => id, Comparer<NodeId>.Create(target.CompareDistance)).First(), found[0].Id);
    }

    [Fact]
    public async Task MaintenancePingsQuestionableNodesAndDropsDeadOnes()
    {
        var clock = new ManualClock();
        await using var sim = new Simulation();
        var node = sim.Add(Simulation.DefaultOptions with { Clock = clock, QueryTimeout = TimeSpan.FromMilliseconds(200) });
        var alive = sim.Add();
        var dead = sim.Add();
        await node.BootstrapAsync([alive.LocalEndPoint, dead.LocalEndPoint], Ct);
        Assert.Equal(2, node.RoutingTable.Count);
        await dead.DisposeAsync();
        clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(2, node.RoutingTable.QuestionableNodes(8).Count);
        await node.RunMaintenanceAsync(Ct);
        await node.RunMaintenanceAsync(Ct);
        var options = node.Options.Routing;
        Assert.Equal(NodeState.Good, node.RoutingTable.Find(alive.Id)!.StateAt(clock.GetUtcNow(), options));
        Assert.Equal(NodeState.Bad, node.RoutingTable.Find(dead.Id)!.StateAt(clock.GetUtcNow(), options));
        Assert.DoesNotContain(node.RoutingTable.Closest(dead.Id, 8), c => c.Id == dead.Id);
    }

    [Fact]
    public async Task GetWithSeqOmitsAValueTheRequesterAlreadyHas()
    {
        await using var sim = new Simulation();
        var server = sim.Add();
        var client = sim.Add();
        using var key = Storage.Bep44.CreateKey();
        var publicKey = Storage.Bep44.PublicKeyOf(key);
        var target = Storage.Bep44.MutableTarget(publicKey, []);
        BDictionary Get(long? seq)
        {
            var args = new BDictionary { ["target"] = new BString(target.ToArray()) };
            if (seq is { } s)
                args["seq"] = new BInteger(s);
            return args;
        }
        var token = (await client.QueryAsync(server.LocalEndPoint, "get", Get(null), null, Ct)).Body["token"];
        var v = (BString)"third";
        await client.QueryAsync(server.LocalEndPoint, "put", new BDictionary
        {
            ["token"] = token, ["k"] = new BString(publicKey), ["seq"] = new BInteger(3),
            ["sig"] = new BString(Storage.Bep44.Sign(key, [], 3, v.Encode())), ["v"] = v,
        }, null, Ct);

        var current = (await client.QueryAsync(server.LocalEndPoint, "get", Get(3), null, Ct)).Body;
        Assert.Equal(3, current.Get<BInteger>("seq")!.Value);
        Assert.False(current.ContainsKey("v"));
        Assert.False(current.ContainsKey("sig"));
        var older = (await client.QueryAsync(server.LocalEndPoint, "get", Get(2), null, Ct)).Body;
        Assert.Equal("5:third", Encoding.ASCII.GetString(older["v"].Raw.Span));
        Assert.True(Storage.Bep44.Verify(older.Get<BString>("k")!.Span, [], 3, older["v"].Raw.Span, older.Get<BString>("sig")!.Span));

        Assert.Equal(3, (await client.GetMutableAsync(publicKey, cancellationToken: Ct))!.Sequence);
        Assert.Null(await client.GetMutableAsync(publicKey, minimumSeq: 3, cancellationToken: Ct));
    }

    [Fact]
    public async Task EnforcedBep42KeepsUnverifiedIdsOutOfTheTable()
    {
        await using var sim = new Simulation();
        IPEndPoint At(string address) => new(IPAddress.Parse(address), 6881);
        var server = sim.Add(Simulation.DefaultOptions with { Routing = new RoutingTableOptions { EnforceNodeIdVerification = true } }, At("203.0.113.1"));
        var honest = sim.Add(Simulation.DefaultOptions with { ExternalAddress = IPAddress.Parse("203.0.113.2") }, At("203.0.113.2"));
        var liar = sim.Add(Simulation.DefaultOptions, At("203.0.113.3"));
        Assert.NotNull(await honest.PingAsync(server.LocalEndPoint, Ct));
        Assert.NotNull(await liar.PingAsync(server.LocalEndPoint, Ct));
        for (var i = 0; i < 50 && server.RoutingTable.Find(honest.Id)?.LastResponse is null; i++)
            await Task.Delay(20, Ct);
        Assert.NotNull(server.RoutingTable.Find(honest.Id)?.LastResponse);
        Assert.Null(server.RoutingTable.Find(liar.Id));
        Assert.True(honest.IdMatchesExternalAddress);
        Assert.False(liar.IdMatchesExternalAddress);
    }

    [Fact]
    public async Task SecureIdFromTheExternalAddress()
    {
        await using var sim = new Simulation();
        var external = IPAddress.Parse("124.31.75.21");
        var node = sim.Add(Simulation.DefaultOptions with { ExternalAddress = external });
        Assert.True(SecureNodeId.IsValid(node.Id, external));
        Assert.True(node.IdMatchesExternalAddress); // nothing reported yet
    }
}
