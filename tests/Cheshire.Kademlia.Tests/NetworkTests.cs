using System.Diagnostics;
using System.Text;
using Cheshire.Identity;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia.Tests;

/// <summary>End-to-end behaviour on a small simulated network.</summary>
public sealed class NetworkTests : IAsyncLifetime
{
    private SimulatedCluster _cluster = null!;

    public async ValueTask InitializeAsync() =>
        _cluster = await SimulatedCluster.CreateAsync(40, SimulatedCluster.FastOptions with { RefreshBucketsOnJoin = true }, parallelJoins: 8);

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    private KademliaNode Node(int i) => _cluster.Nodes[i];

    private static async Task<List<DhtValue>> All(IAsyncEnumerable<DhtValue> values)
    {
        var list = new List<DhtValue>();
        await foreach (var v in values) list.Add(v);
        return list;
    }

    [Fact]
    public async Task APutValueIsReplicatedAndFoundFromAnotherNode()
    {
        var key = NodeId.Hash("/alice");
        var result = await Node(3).PutAsync(key, DhtValue.Plain(1, "music"), republish: false);
        Assert.True(result.Stored >= 10, $"stored on {result.Stored} nodes");
        await Node(4).PutAsync(key, DhtValue.Plain(2, "docs"), republish: false);
        var values = await All(Node(30).GetAsync(key));
        Assert.Equal(["docs", "music"], values.Select(v => Encoding.UTF8.GetString(v.Data.Span)).Order());
        var holders = _cluster.Nodes.Count(n => n.StoredValues().Any(s => s.Key == key));
        Assert.InRange(holders, 10, 21);
    }

    [Fact]
    public async Task SignedValuesAreUpdatedByTheirOwnerOnly()
    {
        using var alice = NodeIdentity.Generate();
        using var mallory = NodeIdentity.Generate();
        var key = NodeId.Hash("/alice/signed");
        await Node(1).PutAsync(key, DhtValue.Signed(key, 9, 1, "v1"u8, alice), republish: false);
        await Node(2).PutAsync(key, DhtValue.Signed(key, 9, 2, "v2"u8, alice), republish: false);
        var holders = _cluster.Nodes.Where(n => n.StoredValues().Any(v => v.Key == key && v.Value.Seq == 2)).ToList();
        Assert.NotEmpty(holders);

        // Every node holding alice's value refuses mallory's; a node his lookup reaches that never saw
        // alice's value may take his (first owner wins there), so the put need not fail everywhere.
        try
        {
            var result = await Node(5).PutAsync(key, DhtValue.Signed(key, 9, 3, "evil"u8, mallory), republish: false);
            Assert.True(result.Errors.GetValueOrDefault(ErrorCode.ErrorNotOwner) > 0, "no node holding alice's value refused mallory");
        }
        catch (DhtException error)
        {
            Assert.Equal(ErrorCode.ErrorNotOwner, error.Code);
        }
        foreach (var holder in holders)
        {
            var held = Assert.Single(holder.StoredValues(), v => v.Key == key);
            Assert.Equal(2UL, held.Value.Seq);
            Assert.Equal(alice.PublicKey, held.Value.Owner);
        }
        var values = await All(Node(20).GetAsync(key));
        Assert.Contains(values, v => v.Seq == 2 && v.Owner is { } owner && owner.SequenceEqual(alice.PublicKey) && v.VerifySignature(key));
    }

    [Fact]
    public async Task AForgedValueHeldByAStorerIsDroppedByTheReader()
    {
        using var alice = NodeIdentity.Generate();
        var key = NodeId.Hash("/alice/forged");
        var forged = DhtValue.Signed(key, 1, 1, "real"u8, alice).Wire.Clone();
        forged.Data = ByteString.CopyFromUtf8("fake");
        // a dishonest storer bypasses its own checks: the reader must still refuse the value
        var storer = Node(7);
        var stored = typeof(KademliaNode).GetField("_store", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(storer)!;
        var dict = typeof(ValueStore).GetField("_keys", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(stored)!;
        ((Dictionary<NodeId, SortedDictionary<ulong, StoredValue>>)dict)[key] = new() { [1] = new StoredValue(key, new DhtValue(forged), DateTimeOffset.MaxValue) };
        Assert.Empty(await All(Node(8).GetAsync(key)));
        Assert.Empty(await All(storer.GetAsync(key)));
    }

    [Fact]
    public async Task EncryptedValuesOpenOnlyForTheirRecipient()
    {
        using var bob = EncryptionKeyPair.Generate();
        using var eve = EncryptionKeyPair.Generate();
        var key = NodeId.Hash("/bob/inbox");
        await Node(11).PutAsync(key, DhtValue.Encrypted(key, 1, "for bob"u8, bob.PublicKey), republish: false);
        var value = Assert.Single(await All(Node(12).GetAsync(key)));
        Assert.True(value.TryDecrypt(key, bob, out var plain));
        Assert.Equal("for bob"u8.ToArray(), plain);
        Assert.False(value.TryDecrypt(key, eve, out _));
    }

    [Fact]
    public async Task AListenerHearsNewAndUpdatedValuesWithinASecond()
    {
        using var alice = NodeIdentity.Generate();
        var key = NodeId.Hash("/alice/live");
        await Node(0).PutAsync(key, DhtValue.Signed(key, 1, 1, "before"u8, alice), republish: false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var heard = System.Threading.Channels.Channel.CreateUnbounded<(DhtValue, long)>();
        var listening = Task.Run(async () =>
        {
            await foreach (var v in Node(25).ListenAsync(key, cts.Token))
                heard.Writer.TryWrite((v, Stopwatch.GetTimestamp()));
        });
        var (first, _) = await heard.Reader.ReadAsync(cts.Token);
        Assert.Equal("before"u8.ToArray(), first.Data.ToArray());

        var put = Stopwatch.GetTimestamp();
        await Node(9).PutAsync(key, DhtValue.Plain(2, "new"), republish: false);
        var (added, at) = await heard.Reader.ReadAsync(cts.Token);
        Assert.Equal("new"u8.ToArray(), added.Data.ToArray());
        Assert.True(Stopwatch.GetElapsedTime(put, at) < TimeSpan.FromSeconds(1));

        put = Stopwatch.GetTimestamp();
        await Node(13).PutAsync(key, DhtValue.Signed(key, 1, 2, "after"u8, alice), republish: false);
        var (updated, at2) = await heard.Reader.ReadAsync(cts.Token);
        Assert.Equal(2UL, updated.Seq);
        Assert.True(Stopwatch.GetElapsedTime(put, at2) < TimeSpan.FromSeconds(1));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listening);
    }

    [Fact]
    public async Task LimitsReachTheCallerAsTypedErrors()
    {
        var key = NodeId.Hash("/big");
        var tooBig = await Assert.ThrowsAsync<DhtException>(() => Node(1).PutAsync(key, DhtValue.Plain(1, new byte[64 * 1024 + 1]), republish: false));
        Assert.Equal(ErrorCode.ErrorValueTooLarge, tooBig.Code);
    }

    [Fact]
    public async Task AValueOfTheFullSixtyFourKibibytesTravelsInFragments()
    {
        var key = NodeId.Hash("/big/exact");
        var data = new byte[64 * 1024];
        Random.Shared.NextBytes(data);
        var before = Node(25).Stats.MessagesReassembled;
        var result = await Node(2).PutAsync(key, DhtValue.Plain(1, data), republish: false);
        Assert.True(result.Stored >= 10, $"stored on {result.Stored} nodes");
        var found = Assert.Single(await All(Node(25).GetAsync(key)));
        Assert.Equal(data, found.Data.ToArray());
        Assert.True(Node(25).Stats.MessagesReassembled > before, "the get reply should have arrived in fragments");
        Assert.All(_cluster.Nodes, n => Assert.Equal(0, n.Stats.MessagesOversized));
    }

    [Fact]
    public async Task ManyValuesUnderOneKeyComeBackInFullThroughPagesAndFragments()
    {
        var key = NodeId.Hash("/big/many");
        var expected = new HashSet<ulong>();
        for (var i = 1UL; i <= 150; i++)
        {
            var data = new byte[1500];
            Random.Shared.NextBytes(data);
            await Node((int)(i % 7)).PutAsync(key, DhtValue.Plain(i, data), republish: false);
            expected.Add(i);
        }
        var values = await All(Node(33).GetAsync(key));
        Assert.Equal(expected.Order(), values.Select(v => v.Id).Order());
    }

    [Fact]
    public async Task HoldersReplicateAValueToTheNewClosestNodesWhenOthersLeave()
    {
        const int k = 8;
        var clock = new ShiftedClock();
        await using var cluster = await SimulatedCluster.CreateAsync(50, SimulatedCluster.FastOptions with
        {
            K = k,
            ReplicateInterval = TimeSpan.FromMinutes(10),
        }, parallelJoins: 8, time: clock);
        var key = NodeId.Hash("/replicated");
        var owner = cluster.Nodes[0];
        await owner.PutAsync(key, DhtValue.Plain(1, "survives", TimeSpan.FromHours(1)), republish: false);
        var holders = cluster.Nodes.Where(n => n != owner && n.StoredValues().Any(v => v.Key == key)).ToList();
        Assert.InRange(holders.Count, k - 2, k);
        var expires = holders[0].StoredValues().Single(v => v.Key == key).Expires;

        // just stored by the owner: nobody replicates before the interval is over
        foreach (var holder in holders) Assert.Equal(0, await holder.ReplicateDue(CancellationToken.None));

        // half the holders leave and the owner is gone for good; the rest replicate once the interval has passed
        foreach (var gone in holders.Take(k / 2).Append(owner)) cluster.Transports[gone].Online = false;
        var stayed = holders.Skip(k / 2).ToList();
        // within the interval, ordinary traffic (here: one lookup of the key from every live node) teaches the
        // routing tables who is gone; find_node answers then offer live contacts first
        await Task.WhenAll(cluster.Online.Select(n => n.FindNodeAsync(key)));
        clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, await stayed[0].ReplicateDue(CancellationToken.None));
        // the holders stayed[0] reached have had this interval's replication done for them
        var alsoReplicated = 0;
        foreach (var holder in stayed.Skip(1)) alsoReplicated += await holder.ReplicateDue(CancellationToken.None);
        Assert.True(alsoReplicated < stayed.Count - 1, "every other holder replicated again");

        var copies = cluster.Online.Where(n => n.StoredValues().Any(v => v.Key == key)).ToList();
        Assert.True(copies.Count >= k, $"{copies.Count} live copies");
        var closestOnline = cluster.Online.OrderBy(n => n.Id ^ key).Take(k).ToList();
        Assert.True(closestOnline.Count(copies.Contains) >= k - 1, $"{closestOnline.Count(copies.Contains)} of the {k} closest live nodes hold it");
        // the copies keep the original lifetime, not a fresh hour
        Assert.All(copies, n => Assert.True(n.StoredValues().Single(v => v.Key == key).Expires <= expires + TimeSpan.FromSeconds(1)));
        var far = cluster.Online.OrderByDescending(n => n.Id ^ key).First();
        Assert.Equal("survives"u8.ToArray(), Assert.Single(await All(far.GetAsync(key))).Data.ToArray());
    }

    [Fact]
    public async Task ANodeThatJoinsCloseToAKeyIsHandedItsValues()
    {
        // a key right next to the newcomer's id, stored before it joins
        using var identity = NodeIdentity.Generate();
        var newcomerId = new NodeId(identity.NodeId);
        Span<byte> near = stackalloc byte[NodeId.Length];
        newcomerId.WriteTo(near);
        near[^1] ^= 1;
        var key = new NodeId(near);
        await Node(5).PutAsync(key, DhtValue.Plain(1, "for the newcomer", TimeSpan.FromHours(1)), republish: false);
        var expires = _cluster.Nodes.SelectMany(n => n.StoredValues()).First(v => v.Key == key).Expires;

        await using var newcomer = new KademliaNode(identity, _cluster.Network.CreateTransport(), SimulatedCluster.FastOptions);
        await newcomer.StartAsync();
        await newcomer.BootstrapAsync([Node(0).EndPoint]);
        Assert.DoesNotContain(newcomer.StoredValues(), v => v.Key == key);

        var handed = 0;
        foreach (var node in _cluster.Nodes) handed += await node.HandOverToNewContacts(CancellationToken.None);

        var copy = Assert.Single(newcomer.StoredValues(), v => v.Key == key);
        Assert.Equal("for the newcomer"u8.ToArray(), copy.Value.Data.ToArray());
        Assert.True(copy.Expires <= expires + TimeSpan.FromSeconds(1));
        Assert.InRange(handed, 1, 2); // the closest holder sends, not all k
    }

    [Fact]
    public async Task AValuePublishedBeforeTheNodeJoinsReachesTheNetworkAtTheFirstRoundAfter()
    {
        using var identity = NodeIdentity.Generate();
        await using var early = new KademliaNode(identity, _cluster.Network.CreateTransport(), SimulatedCluster.FastOptions);
        await early.StartAsync();
        var key = NodeId.Hash("/published-before-join");
        var alone = await early.PutAsync(key, DhtValue.Plain(1, "early"), republish: true);
        Assert.Equal(1, alone.Stored); // only here: the node knows nobody yet

        await early.BootstrapAsync([Node(0).EndPoint]);
        await early.MaintainOnce();

        var found = await All(Node(20).GetAsync(key));
        Assert.Equal("early"u8.ToArray(), Assert.Single(found).Data.ToArray());
        Assert.True(_cluster.Nodes.Count(n => n.StoredValues().Any(v => v.Key == key)) >= 10);
    }

    [Fact]
    public async Task FindNodeConvergesOnTheTarget()
    {
        foreach (var i in new[] { 2, 17, 33 })
        {
            var result = await Node(i).FindNodeAsync(Node(39 - i).Id);
            Assert.Equal(Node(39 - i).Id, result.Closest[0].Id);
            Assert.True(result.Converged);
            Assert.True(result.Hops >= 1);
        }
    }
}
