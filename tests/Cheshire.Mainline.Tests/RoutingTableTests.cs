using System.Net;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Security;

namespace Cheshire.Mainline.Tests;

public class RoutingTableTests
{
    private readonly ManualClock _clock = new();
    private static readonly NodeId Local = NodeId.Parse("8000000000000000000000000000000000000000");
    private int _host;

    private RoutingTable Table(RoutingTableOptions? options = null) => new(Local, options ?? new RoutingTableOptions(), _clock);

    private IPEndPoint NextEndPoint() => new(new IPAddress([10, 0, (byte)(++_host >> 8), (byte)_host]), 6881);

    /// <summary>An id in bucket <paramref name="prefix"/> (shares exactly that many leading bits with Local).</summary>
    private static NodeId InBucket(int prefix) => Local.RandomWithPrefix(prefix);

    [Fact]
    public void OnlyTheBucketContainingTheLocalIdSplits()
    {
        var table = Table();
        // Far half (prefix 0) fills first: 8 nodes, one bucket.
        for (var i = 0; i < 8; i++)
            Assert.Equal(AddResult.Added, table.Heard(InBucket(0), NextEndPoint(), true, true));
        Assert.Equal(1, table.BucketCount);
        // A 9th far node splits the (only, local) bucket; the far bucket is then full and never splits again.
        Assert.Equal(AddResult.ReplacementCache, table.Heard(InBucket(0), NextEndPoint(), true, true));
        Assert.Equal(2, table.BucketCount);
        Assert.Equal(AddResult.ReplacementCache, table.Heard(InBucket(0), NextEndPoint(), true, true));
        Assert.Equal(2, table.BucketCount);
        // Near nodes keep splitting the local bucket.
        for (var prefix = 1; prefix < 6; prefix++)
            for (var i = 0; i < 8; i++)
                Assert.Equal(AddResult.Added, table.Heard(InBucket(prefix), NextEndPoint(), true, true));
        Assert.Equal(6, table.BucketCount);
        Assert.Equal(48, table.Count);
        Assert.All(table.Buckets, b => Assert.True(b.Nodes.Count <= 8));
        Assert.All(table.Buckets.SkipLast(1), b => Assert.All(b.Nodes, n => Assert.Equal(b.Index, Local.CommonPrefixLength(n.Id))));
    }

    [Fact]
    public void NodeStatesFollowBep5()
    {
        var options = new RoutingTableOptions();
        var table = Table(options);
        var id = InBucket(3);
        table.Heard(id, NextEndPoint(), responded: true, verified: true);
        var node = table.Find(id)!;
        Assert.Equal(NodeState.Good, node.StateAt(_clock.GetUtcNow(), options));
        _clock.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(NodeState.Questionable, node.StateAt(_clock.GetUtcNow(), options));
        // It queried us: good again (it has responded before).
        table.Heard(id, node.EndPoint, responded: false, verified: true);
        Assert.Equal(NodeState.Good, node.StateAt(_clock.GetUtcNow(), options));
        table.Failed(id);
        table.Failed(id);
        Assert.Equal(NodeState.Bad, node.StateAt(_clock.GetUtcNow(), options));
        // A node that only ever queried us is questionable.
        var other = InBucket(4);
        table.Heard(other, NextEndPoint(), responded: false, verified: true);
        Assert.Equal(NodeState.Questionable, table.Find(other)!.StateAt(_clock.GetUtcNow(), options));
        Assert.Contains(table.QuestionableNodes(10), c => c.Id == other);
    }

    [Fact]
    public void BadNodesAreReplacedFromTheReplacementCache()
    {
        var table = Table();
        var far = Enumerable.Range(0, 8).Select(_ => InBucket(0)).ToList();
        foreach (var id in far)
            table.Heard(id, NextEndPoint(), true, true);
        var waiting = InBucket(0);
        Assert.Equal(AddResult.ReplacementCache, table.Heard(waiting, NextEndPoint(), true, true));
        Assert.Null(table.Find(waiting));
        table.Failed(far[0]);
        Assert.NotNull(table.Find(far[0]));
        table.Failed(far[0]);
        Assert.Null(table.Find(far[0]));
        Assert.NotNull(table.Find(waiting));
    }

    [Fact]
    public void ABadNodeIsReplacedDirectlyByANewcomer()
    {
        var table = Table();
        var far = Enumerable.Range(0, 8).Select(_ => InBucket(0)).ToList();
        foreach (var id in far)
            table.Heard(id, NextEndPoint(), true, true);
        table.Heard(InBucket(1), NextEndPoint(), true, true); // split away the local half
        table.Failed(far[3]);
        table.Failed(far[3]);
        var newcomer = InBucket(0);
        Assert.Equal(AddResult.Added, table.Heard(newcomer, NextEndPoint(), true, true));
        Assert.Null(table.Find(far[3]));
    }

    [Fact]
    public void VerifiedIdsArePreferredOverUnverifiedQuestionableOnes()
    {
        var table = Table();
        var unverified = Enumerable.Range(0, 8).Select(_ => InBucket(0)).ToList();
        foreach (var id in unverified)
            table.Heard(id, NextEndPoint(), responded: false, verified: false);
        table.Heard(InBucket(1), NextEndPoint(), true, true);
        Assert.Equal(AddResult.ReplacementCache, table.Heard(InBucket(0), NextEndPoint(), true, verified: false));
        var verified = InBucket(0);
        Assert.Equal(AddResult.Added, table.Heard(verified, NextEndPoint(), true, verified: true));
        Assert.Equal(7, unverified.Count(id => table.Find(id) is not null));
    }

    [Fact]
    public void EnforcedVerificationRejectsIdsThatDoNotMatchTheirIp()
    {
        var table = Table(new RoutingTableOptions { EnforceNodeIdVerification = true });
        var address = IPAddress.Parse("21.75.31.124");
        var bad = NodeId.Random();
        Assert.Equal(AddResult.Rejected, table.Heard(bad, new IPEndPoint(address, 1), true, SecureNodeId.IsVerified(bad, address)));
        var good = SecureNodeId.Generate(address);
        Assert.Equal(AddResult.Added, table.Heard(good, new IPEndPoint(address, 1), true, SecureNodeId.IsVerified(good, address)));
    }

    [Fact]
    public void OneNodePerIpAndIdsDoNotMove()
    {
        var table = Table();
        var endPoint = new IPEndPoint(IPAddress.Parse("1.2.3.4"), 1000);
        var id = InBucket(2);
        Assert.Equal(AddResult.Added, table.Heard(id, endPoint, true, true));
        Assert.Equal(AddResult.Rejected, table.Heard(InBucket(3), new IPEndPoint(endPoint.Address, 1001), true, true));
        Assert.Equal(AddResult.Rejected, table.Heard(id, new IPEndPoint(IPAddress.Parse("5.6.7.8"), 1), true, true));
        Assert.Equal(AddResult.Rejected, table.Heard(Local, NextEndPoint(), true, true));
        // Loopback is exempt so that several local nodes can coexist.
        Assert.Equal(AddResult.Added, table.Heard(InBucket(4), new IPEndPoint(IPAddress.Loopback, 1), true, true));
        Assert.Equal(AddResult.Added, table.Heard(InBucket(5), new IPEndPoint(IPAddress.Loopback, 2), true, true));
    }

    [Fact]
    public void StaleBucketsAreRefreshedWithTargetsInTheirRange()
    {
        var table = Table();
        for (var prefix = 0; prefix < 3; prefix++)
            for (var i = 0; i < 8; i++)
                table.Heard(InBucket(prefix), NextEndPoint(), true, true);
        Assert.Empty(table.RefreshTargets());
        _clock.Advance(TimeSpan.FromMinutes(15));
        var targets = table.RefreshTargets();
        Assert.Equal(table.BucketCount, targets.Count);
        for (var i = 0; i < targets.Count - 1; i++)
            Assert.Equal(i, Local.CommonPrefixLength(targets[i]));
        foreach (var target in targets)
            table.MarkRefreshed(target);
        Assert.Empty(table.RefreshTargets());
    }

    [Fact]
    public void ClosestIsOrderedByXorDistance()
    {
        var table = Table();
        for (var i = 0; i < 100; i++)
            table.Heard(NodeId.Random(), NextEndPoint(), true, true);
        var target = NodeId.Random();
        var closest = table.Closest(target, 8);
        Assert.Equal(8, closest.Count);
        var all = table.Nodes.Select(n => n.Id).OrderBy(id => id, Comparer<NodeId>.Create(target.CompareDistance)).Take(8);
        Assert.Equal(all, closest.Select(c => c.Id));
    }

    [Fact]
    public void SnapshotEncodesAndDecodes()
    {
        var nodes = new List<Krpc.NodeContact>
        {
            new(NodeId.Random(), new IPEndPoint(IPAddress.Parse("1.2.3.4"), 1)),
            new(NodeId.Random(), new IPEndPoint(IPAddress.Parse("2001:db8::7"), 2)),
        };
        var snapshot = new RoutingTableSnapshot(Local, nodes);
        var decoded = RoutingTableSnapshot.Decode(snapshot.Encode());
        Assert.Equal(Local, decoded.LocalId);
        Assert.Equal(nodes, decoded.Nodes);
        Assert.ThrowsAny<FormatException>(() => RoutingTableSnapshot.Decode(snapshot.Encode()[..^3]));
        Assert.ThrowsAny<FormatException>(() => RoutingTableSnapshot.Decode("d2:id3:abce"u8.ToArray()));
    }
}
