using System.Net;
using Cheshire.Kademlia.Routing;

namespace Cheshire.Kademlia.Tests;

public sealed class RoutingTableTests
{
    private static int _port = 1000;
    private static Contact At(NodeId id) => new(id, new IPEndPoint(IPAddress.Loopback, Interlocked.Increment(ref _port)));

    [Fact]
    public void TheBucketHoldingOurIdSplitsWhenFull()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 4);
        // 4 far contacts (prefix 0) fill the only bucket; a near one forces a split.
        for (var i = 0; i < 4; i++) Assert.Equal(SeenResult.Added, table.Seen(At(self.RandomWithCommonPrefix(0))));
        Assert.Equal(1, table.BucketCount);
        Assert.Equal(SeenResult.Added, table.Seen(At(self.RandomWithCommonPrefix(5))));
        Assert.True(table.BucketCount >= 2);
        Assert.Equal(5, table.Count);
        var snapshot = table.Snapshot();
        Assert.All(snapshot[0].Contacts, c => Assert.Equal(0, self.CommonPrefixLength(c.Contact.Id)));
        Assert.True(snapshot[^1].HoldsSelf);
    }

    [Fact]
    public void AFullFarBucketCachesNewcomersAndAsksForThePingOfItsLeastRecent()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 3);
        table.Seen(At(self.RandomWithCommonPrefix(3))); // forces later splits to keep prefix-0 bucket separate
        var far = Enumerable.Range(0, 3).Select(_ => At(self.RandomWithCommonPrefix(0))).ToList();
        foreach (var c in far) table.Seen(c);
        var newcomer = At(self.RandomWithCommonPrefix(0));
        Assert.Equal(SeenResult.Cached, table.Seen(newcomer, out var ping, TimeSpan.FromMinutes(1)));
        Assert.Equal(far[0].Id, ping!.Value.Id);
        // asked once per interval
        Assert.Equal(SeenResult.Cached, table.Seen(At(self.RandomWithCommonPrefix(0)), out var again, TimeSpan.FromMinutes(1)));
        Assert.Null(again);
        Assert.Null(table.Find(newcomer.Id));
    }

    [Fact]
    public void SeeingAContactAgainMovesItToTheTail()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 3);
        table.Seen(At(self.RandomWithCommonPrefix(3)));
        var far = Enumerable.Range(0, 3).Select(_ => At(self.RandomWithCommonPrefix(0))).ToList();
        foreach (var c in far) table.Seen(c);
        Assert.Equal(SeenResult.Refreshed, table.Seen(far[0]));
        table.Seen(At(self.RandomWithCommonPrefix(0)), out var ping);
        Assert.Equal(far[1].Id, ping!.Value.Id);
    }

    [Fact]
    public void AFailedContactIsReplacedByTheMostRecentReplacement()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 2, maxFailures: 3);
        table.Seen(At(self.RandomWithCommonPrefix(4)));
        var a = At(self.RandomWithCommonPrefix(0));
        var b = At(self.RandomWithCommonPrefix(0));
        table.Seen(a);
        table.Seen(b);
        var c = At(self.RandomWithCommonPrefix(0));
        var d = At(self.RandomWithCommonPrefix(0));
        table.Seen(c);
        table.Seen(d);
        Assert.True(table.Failed(a.Id));
        Assert.Null(table.Find(a.Id));
        Assert.NotNull(table.Find(d.Id));
        Assert.Null(table.Find(c.Id));
    }

    [Fact]
    public void WithoutReplacementsAContactStaysUntilMaxFailures()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 20, maxFailures: 2);
        var a = At(NodeId.Random());
        table.Seen(a);
        Assert.False(table.Failed(a.Id));
        Assert.Single(table.Closest(a.Id, 5)); // doubtful contacts are still offered when nothing better exists
        Assert.True(table.Failed(a.Id));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ClosestReturnsNearestFirstAndIgnoresSelf()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 20);
        Assert.Equal(SeenResult.Ignored, table.Seen(At(self)));
        var contacts = Enumerable.Range(0, 200).Select(_ => At(NodeId.Random())).ToList();
        foreach (var c in contacts) table.Seen(c);
        var target = NodeId.Random();
        var closest = table.Closest(target, 8);
        Assert.Equal(8, closest.Count);
        for (var i = 1; i < closest.Count; i++) Assert.True(target.CompareDistance(closest[i - 1].Id, closest[i].Id) < 0);
        var all = table.All();
        var expected = all.OrderBy(c => c.Id ^ target).Take(8).Select(c => c.Id);
        Assert.Equal(expected, closest.Select(c => c.Id));
    }

    [Fact]
    public void ClosestPrefersContactsWithoutFailuresAndCanLeaveOneOut()
    {
        var self = NodeId.Random();
        // k above the contact count: no bucket fills, so no replacement exists and Failed only marks the contact
        // (with k = 20, 1 run in ~50 put over 20 of the 30 random ids in the far bucket, and Failed then evicted).
        var table = new RoutingTable(self, k: 32, maxFailures: 5);
        var contacts = Enumerable.Range(0, 30).Select(_ => At(NodeId.Random())).ToList();
        foreach (var c in contacts) table.Seen(c);
        var target = NodeId.Random();
        var byDistance = table.All().OrderBy(c => c.Id ^ target).ToList();
        var nearest = byDistance[0];
        Assert.False(table.Failed(nearest.Id)); // still in the table, but doubtful

        var closest = table.Closest(target, 5);
        Assert.Equal(byDistance.Skip(1).Take(5).Select(c => c.Id), closest.Select(c => c.Id));

        var all = table.Closest(target, 100);
        Assert.Equal(table.Count, all.Count);
        Assert.Equal(nearest.Id, all[^1].Id); // doubtful ones come last, only when too few good ones exist

        var without = table.Closest(target, 5, exclude: byDistance[1].Id);
        Assert.Equal(new[] { byDistance[2], byDistance[3], byDistance[4], byDistance[5], byDistance[6] }.Select(c => c.Id), without.Select(c => c.Id));
    }

    [Fact]
    public void AnEndpointHoldsOneIdWhileItsContactAnswers()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 20, maxFailures: 3);
        var endPoint = new IPEndPoint(IPAddress.Loopback, 7000);
        var first = new Contact(NodeId.Random(), endPoint);
        Assert.Equal(SeenResult.Added, table.Seen(first));

        // made-up ids from the same address do not get in, not even into the replacement cache of a full bucket
        for (var i = 0; i < 100; i++) Assert.Equal(SeenResult.Ignored, table.Seen(new Contact(NodeId.Random(), endPoint)));
        Assert.Equal(1, table.Count);
        Assert.All(table.Snapshot(), b => Assert.Empty(b.Replacements));

        // once the contact there stops answering, a new id at the address (a restart with a new identity) takes it
        Assert.False(table.Failed(first.Id));
        var second = new Contact(NodeId.Random(), endPoint);
        Assert.Equal(SeenResult.Added, table.Seen(second));
        Assert.Null(table.Find(first.Id));
        Assert.Equal(second, table.Find(second.Id));
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void AContactThatMovesDoesNotTakeAnAddressHeldByAnother()
    {
        var self = NodeId.Random();
        var table = new RoutingTable(self, k: 20, maxFailures: 3);
        var a = At(NodeId.Random());
        var b = At(NodeId.Random());
        table.Seen(a);
        table.Seen(b);
        table.Failed(a.Id);
        // a, doubtful, shows up from b's address: refreshed but not moved there
        Assert.Equal(SeenResult.Refreshed, table.Seen(new Contact(a.Id, b.EndPoint)));
        Assert.Equal(a.EndPoint, table.Find(a.Id)!.Value.EndPoint);
        // from a free address it moves, and its old address is free for others
        table.Failed(a.Id);
        var moved = At(a.Id);
        Assert.Equal(SeenResult.Refreshed, table.Seen(moved));
        Assert.Equal(moved.EndPoint, table.Find(a.Id)!.Value.EndPoint);
        Assert.Equal(SeenResult.Added, table.Seen(new Contact(NodeId.Random(), a.EndPoint)));
    }
}
