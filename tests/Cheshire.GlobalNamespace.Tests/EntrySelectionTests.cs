namespace Cheshire.GlobalNamespace.Tests;

public sealed class EntrySelectionTests
{
    [Fact]
    public void AReplayedLowerSeqLosesToTheNewerEntry()
    {
        using var alice = new Publisher();
        var old = alice.Entry("music", seq: 3, addresses: ["10.0.0.1:7400"]);
        var current = alice.Entry("music", seq: 7, addresses: ["10.0.0.2:7400"]);

        var listing = EntrySelection.Select([current, old], viewerUid: null);
        var reordered = EntrySelection.Select([old, current], viewerUid: null);

        var only = Assert.Single(listing);
        Assert.Equal("music", only.Label);
        Assert.Equal(current, only.Entry);
        Assert.Equal(listing, reordered);
    }

    [Fact]
    public void AcrossAUsersNodesTheHigherSeqWinsAndAnExportBeatsADirectory()
    {
        using var alice = new Publisher();
        using var laptop = alice.SecondNode();

        var moved = EntrySelection.Select([alice.Entry("music", seq: 3), laptop.Entry("music", seq: 8)], null);
        var mixed = EntrySelection.Select([alice.Entry("music", EntryKind.Directory, seq: 9), laptop.Entry("music", seq: 2)], null);

        Assert.Equal(laptop.Node.NodeId, Assert.Single(moved).Entry.NodeId.ToArray());
        Assert.Equal(EntryKind.Export, Assert.Single(mixed).Entry.Kind);
    }

    [Fact]
    public void AWithdrawalHidesThePublishersEarlierEntry()
    {
        using var alice = new Publisher();
        var published = alice.Entry("music", seq: 1);
        var withdrawn = alice.Entry("music", EntryKind.Withdrawn, seq: 2) with { Addresses = [] };

        Assert.Empty(EntrySelection.Select([published, withdrawn], null));
        Assert.Equal(published, Assert.Single(EntrySelection.Select([published], null)).Entry);
    }

    [Fact]
    public void TwoOwnersOfOneNameAreBothListedAndTheViewerKeepsThePlainName()
    {
        using var alice = new Publisher();
        using var bob = new Publisher();
        var entries = new[] { alice.Entry("music"), bob.Entry("music"), bob.Entry("photos") };
        var bobShort = bob.User.Uid[..8];
        var aliceShort = alice.User.Uid[..8];

        var asAlice = EntrySelection.Select(entries, alice.User.Uid);
        var asCarol = EntrySelection.Select(entries, new string('c', 40));

        Assert.Equal(new[] { "music", $"music@{bobShort}", "photos" }.Order(StringComparer.Ordinal), asAlice.Select(e => e.Label));
        Assert.Equal(alice.User.Uid, EntrySelection.Find(asAlice, "music")!.Entry.OwnerUid);
        Assert.Equal(bob.User.Uid, EntrySelection.Find(asAlice, $"music@{bobShort}")!.Entry.OwnerUid);
        Assert.Equal(new[] { $"music@{aliceShort}", $"music@{bobShort}", "photos" }.Order(StringComparer.Ordinal), asCarol.Select(e => e.Label));
        Assert.Null(EntrySelection.Find(asCarol, "music"));
    }

    [Fact]
    public void OwnersSharingTheShortUidAreLabelledWithTheFullUid()
    {
        using var alice = new Publisher();
        using var bob = new Publisher();
        var a = alice.Entry("music");
        // Another owner whose uid starts with the same 8 digits (found by grinding keys; its binding is irrelevant here).
        var twin = bob.Entry("music") with { OwnerUid = alice.User.Uid[..8] + bob.User.Uid[8..] };

        var labels = EntrySelection.Select([a, twin], viewerUid: null).Select(e => e.Label).ToList();

        Assert.Equal(new[] { $"music@{a.OwnerUid}", $"music@{twin.OwnerUid}" }.Order(StringComparer.Ordinal), labels);
    }

    [Fact]
    public void TheListingIsOrderedByLabel()
    {
        using var alice = new Publisher();
        var entries = new[] { "zeta", "Alpha", "beta", "émile", "10" }.Select(n => alice.Entry(n)).ToList();

        var labels = EntrySelection.Select(entries, alice.User.Uid).Select(e => e.Label);

        Assert.Equal(["10", "Alpha", "beta", "zeta", "émile"], labels);
    }
}
