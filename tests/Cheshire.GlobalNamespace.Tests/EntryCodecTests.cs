using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Values;
using Google.Protobuf;

namespace Cheshire.GlobalNamespace.Tests;

public sealed class EntryCodecTests
{
    [Fact]
    public void AnEntryReadsBackAsItWasPublished()
    {
        using var alice = new Publisher();
        var entry = alice.Entry("music", seq: 42, addresses: ["node-a.example:7400", "10.0.0.5:7400", "[fe80::1]:7401"]);

        var value = alice.Value(entry);
        var (ok, read, whyNot) = Read.Value(value);

        Assert.True(ok, whyNot);
        Assert.Equal(entry, read);
        Assert.Equal(alice.User.Uid, read.OwnerUid);
        Assert.Equal(new NodeId(alice.Node.NodeId), read.NodeId);
        Assert.Equal(["node-a.example:7400", "10.0.0.5:7400", "[fe80::1]:7401"], read.Addresses);
        Assert.Equal(EntryCodec.TypeTag, value.Type);
        Assert.Equal(42UL, value.Seq);
        Assert.Equal(TimeSpan.FromHours(1), value.Ttl);
        Assert.Equal(alice.Node.PublicKey, value.Owner);
        Assert.Equal(EntryCodec.ValueId("music", alice.User.Uid, read.NodeId), value.Id);
    }

    [Fact]
    public void ATypicalExportEntryIsCompact()
    {
        using var alice = new Publisher();

        var bytes = EntryCodec.Encode(alice.Entry("music", seq: (ulong)Publisher.Now.ToUnixTimeMilliseconds(), addresses: ["192.168.1.20:7400"]));

        Assert.InRange(bytes.Length, 150, 260);
    }

    [Fact]
    public void DirectoryAndWithdrawnEntriesNeedNoAddress()
    {
        using var alice = new Publisher();
        foreach (var kind in new[] { EntryKind.Directory, EntryKind.Withdrawn })
        {
            var entry = NamespaceEntry.Create("alice", kind, alice.Node, alice.User, [], Publisher.Now.AddMinutes(10), 1);
            var (ok, read, whyNot) = Read.Value(alice.Value(entry, "/"), "/");
            Assert.True(ok, whyNot);
            Assert.Equal(kind, read.Kind);
            Assert.Empty(read.Addresses);
        }
    }

    [Fact]
    public void TheValueIdIsStablePerNameOwnerAndNode()
    {
        using var alice = new Publisher();
        using var aliceLaptop = alice.SecondNode();
        using var bob = new Publisher();

        Assert.Equal(alice.Entry("music", seq: 1).ValueId, alice.Entry("music", seq: 9, lifetime: TimeSpan.FromHours(2)).ValueId);
        Assert.NotEqual(alice.Entry("music").ValueId, alice.Entry("photos").ValueId);
        Assert.NotEqual(alice.Entry("music").ValueId, aliceLaptop.Entry("music").ValueId);
        Assert.NotEqual(alice.Entry("music").ValueId, bob.Entry("music").ValueId);
        Assert.NotEqual(0UL, alice.Entry("music").ValueId);
    }

    [Fact]
    public void ATamperedValueIsRefused()
    {
        using var alice = new Publisher();
        var value = alice.Value(alice.Entry("music"));
        var data = value.Data.ToArray();
        data[^5] ^= 1;

        var (ok, _, whyNot) = Read.Value(Hostile.Altered(value, w => w.Data = ByteString.CopyFrom(data)));

        Assert.False(ok);
        Assert.Contains("DHT signature does not verify", whyNot);
        Assert.False(Read.Value(Hostile.Altered(value, w => w.Seq = 99)).Ok);
        Assert.False(Read.Value(Hostile.Altered(value, w => w.TtlSeconds = 86400)).Ok);
    }

    [Fact]
    public void AnUnsignedValueIsRefused()
    {
        using var alice = new Publisher();
        var entry = alice.Entry("music");
        var plain = DhtValue.Plain(entry.ValueId, EntryCodec.Encode(entry), TimeSpan.FromHours(1), EntryCodec.TypeTag);

        var (ok, _, whyNot) = Read.Value(plain);

        Assert.False(ok);
        Assert.Contains("not signed: the owner node key is missing", whyNot);
    }

    [Fact]
    public void AnEntryCopiedUnderAnotherDirectoryOrSaltIsRefused()
    {
        using var alice = new Publisher();
        var value = alice.Value(alice.Entry("music"), "/alice");

        var otherSalt = Read.Value(value, "/alice", salt: "another-network");
        var otherDirectory = Read.Value(value, "/bob");

        Assert.False(otherSalt.Ok);
        Assert.Contains("DHT signature does not verify for this key", otherSalt.WhyNot);
        Assert.False(otherDirectory.Ok);
        Assert.Contains("DHT signature does not verify for this key", otherDirectory.WhyNot);
    }

    [Fact]
    public void AnEntrySignedByAnotherNodeKeyIsRefused()
    {
        using var alice = new Publisher();
        using var mallory = new Publisher();
        var entry = alice.Entry("music");

        // Mallory re-signs Alice's entry (node id, binding and all) with her own node key.
        var forged = DhtValue.Signed(DirectoryKey.For("/alice", Publisher.Salt), entry.ValueId, entry.Seq, EntryCodec.Encode(entry),
            mallory.Node, TimeSpan.FromHours(1), EntryCodec.TypeTag);
        var (ok, _, whyNot) = Read.Value(forged);

        Assert.False(ok);
        Assert.Contains("is not SHA1 of the key that signed the value", whyNot);
    }

    [Fact]
    public void AnEntryClaimingAnotherNodeIdForItsOwnKeyIsRefused()
    {
        using var alice = new Publisher();
        using var mallory = new Publisher();
        // Mallory names herself as node but carries Alice's binding (made for Alice's node key).
        var entry = alice.Entry("music") with { NodeId = new NodeId(mallory.Node.NodeId) };

        var (ok, _, whyNot) = Read.Value(Hostile.SignedAnyway(entry, mallory.Node));

        Assert.False(ok);
        Assert.Contains("user binding does not verify for the node key that signed the value", whyNot);
    }

    [Fact]
    public void AnEntryClaimingAnotherUsersUidIsRefused()
    {
        using var mallory = new Publisher();
        using var alice = new Publisher();
        // Mallory's node, Mallory's own valid binding, but Alice's uid as owner.
        var entry = mallory.Entry("music") with { OwnerUid = alice.User.Uid };

        var (ok, _, whyNot) = Read.Value(Hostile.SignedAnyway(entry, mallory.Node));

        Assert.False(ok);
        Assert.Contains($"the owner uid {alice.User.Uid} is not the uid {mallory.User.Uid} its user binding proves", whyNot);
    }

    [Fact]
    public void ABindingOfAnotherUsersKeyOverAnotherNodeIsRefused()
    {
        using var alice = new Publisher();
        using var mallory = new Publisher();
        // Mallory copies Alice's binding (Alice's user signature over Alice's node) into her own entry.
        var entry = mallory.Entry("music") with { OwnerUid = alice.User.Uid, Binding = alice.Entry("x").Binding };

        var (ok, _, whyNot) = Read.Value(Hostile.SignedAnyway(entry, mallory.Node));

        Assert.False(ok);
        Assert.Contains("user binding does not verify", whyNot);
    }

    [Fact]
    public void AnExpiredEntryIsRefused()
    {
        using var alice = new Publisher();
        var value = alice.Value(alice.Entry("music", lifetime: TimeSpan.FromMinutes(10)));

        Assert.True(Read.Value(value, now: Publisher.Now.AddMinutes(9)).Ok);
        var (ok, _, whyNot) = Read.Value(value, now: Publisher.Now.AddMinutes(10));

        Assert.False(ok);
        Assert.Contains("the entry expired at 2026-11-30 12:10:00Z", whyNot);
    }

    [Fact]
    public void AnEntryClaimingToHoldForMoreThanADayIsRefused()
    {
        using var alice = new Publisher();
        var entry = alice.Entry("music") with { Expiry = Publisher.Now.AddDays(30) };

        var (ok, _, whyNot) = Read.Value(Hostile.SignedAnyway(entry, alice.Node));

        Assert.False(ok);
        Assert.Contains("more than 1.00:00:00 from now", whyNot);
    }

    [Fact]
    public void AValueWithAnotherTypeTagIsRefused()
    {
        using var alice = new Publisher();
        var entry = alice.Entry("music");
        var value = DhtValue.Signed(DirectoryKey.For("/alice", Publisher.Salt), entry.ValueId, entry.Seq, EntryCodec.Encode(entry),
            alice.Node, TimeSpan.FromHours(1), "cheshire/something-else/1");

        var (ok, _, whyNot) = Read.Value(value);

        Assert.False(ok);
        Assert.Contains("the type tag 'cheshire/something-else/1' is not 'cheshire/ns-entry/1'", whyNot);
    }

    [Fact]
    public void AValueWhoseSeqOrIdDisagreesWithTheEntryIsRefused()
    {
        using var alice = new Publisher();
        var entry = alice.Entry("music", seq: 5);
        var key = DirectoryKey.For("/alice", Publisher.Salt);

        var seq = Read.Value(DhtValue.Signed(key, entry.ValueId, 6, EntryCodec.Encode(entry), alice.Node, TimeSpan.FromHours(1), EntryCodec.TypeTag));
        var id = Read.Value(DhtValue.Signed(key, 1234, 5, EntryCodec.Encode(entry), alice.Node, TimeSpan.FromHours(1), EntryCodec.TypeTag));

        Assert.Contains("the entry's seq 5 is not the value's seq 6", seq.WhyNot);
        Assert.Contains("is not the one derived from the entry's name, owner and node", id.WhyNot);
    }

    [Fact]
    public void MalformedNamesAndAddressesInASignedEntryAreRefused()
    {
        using var alice = new Publisher();
        var good = alice.Entry("music");

        Assert.Contains("contains '/'", Read.Value(Hostile.SignedAnyway(good with { Name = "a/b" }, alice.Node)).WhyNot);
        Assert.Contains("'..' is not a name", Read.Value(Hostile.SignedAnyway(good with { Name = ".." }, alice.Node)).WhyNot);
        Assert.Contains("ends like a disambiguated label", Read.Value(Hostile.SignedAnyway(good with { Name = "music@0123abcd" }, alice.Node)).WhyNot);
        Assert.Contains("'localhost' is not host:port",
            Read.Value(Hostile.SignedAnyway(good with { Addresses = ["localhost"] }, alice.Node)).WhyNot);
        Assert.Contains("has no port from 1 to 65535",
            Read.Value(Hostile.SignedAnyway(good with { Addresses = ["127.0.0.1:0"] }, alice.Node)).WhyNot);
        Assert.Contains("an export entry names no address",
            Read.Value(Hostile.SignedAnyway(good with { Addresses = [] }, alice.Node)).WhyNot);
    }

    [Fact]
    public void PublishingRefusesEntriesThatAreNotThisNodesOrThisUsers()
    {
        using var alice = new Publisher();
        using var bob = new Publisher();
        var key = DirectoryKey.For("/alice", Publisher.Salt);
        var entry = alice.Entry("music");

        Assert.Contains("but node", Assert.Throws<ArgumentException>(() => EntryCodec.ToDhtValue(entry, key, bob.Node, alice.User, false, Publisher.Now)).Message);
        Assert.Contains("but the user is", Assert.Throws<ArgumentException>(() => EntryCodec.ToDhtValue(entry, key, alice.Node, bob.User, false, Publisher.Now)).Message);
        Assert.Contains("expired at", Assert.Throws<ArgumentException>(() => EntryCodec.ToDhtValue(entry, key, alice.Node, alice.User, false, Publisher.Now.AddHours(2))).Message);
        Assert.Contains("at most 1.00:00:00", Assert.Throws<ArgumentException>(() =>
            EntryCodec.ToDhtValue(entry with { Expiry = Publisher.Now.AddDays(2) }, key, alice.Node, alice.User, false, Publisher.Now)).Message);
        Assert.Contains("contains '/'", Assert.Throws<ArgumentException>(() =>
            NamespaceEntry.Create("a/b", EntryKind.Export, alice.Node, alice.User, ["127.0.0.1:1"], Publisher.Now.AddHours(1), 1)).Message);
    }

    [Fact]
    public void WhatADhtModuleReturnsIsCheckedTheSameWayAfterItsSignature()
    {
        using var alice = new Publisher();
        using var mallory = new Publisher();
        var entry = alice.Entry("music", seq: 4);
        var data = EntryCodec.Encode(entry);

        // The fields of a dht gRPC Get reply: owner (signature already verified for the key), type, id, seq, data.
        Assert.True(EntryCodec.TryReadSigned(alice.Node.PublicKey, EntryCodec.TypeTag, entry.ValueId, 4, data, Publisher.Now, out var read, out var whyNot), whyNot);
        Assert.Equal(entry, read);
        Assert.False(EntryCodec.TryReadSigned(mallory.Node.PublicKey, EntryCodec.TypeTag, entry.ValueId, 4, data, Publisher.Now, out _, out whyNot));
        Assert.Contains("is not SHA1 of the key that signed the value", whyNot);
        Assert.False(EntryCodec.TryReadSigned([], EntryCodec.TypeTag, entry.ValueId, 4, data, Publisher.Now, out _, out whyNot));
        Assert.Contains("owner node key is missing", whyNot);
        Assert.False(EntryCodec.TryReadSigned(alice.Node.PublicKey, "", entry.ValueId, 4, data, Publisher.Now, out _, out whyNot));
        Assert.Contains("the type tag '' is not", whyNot);
    }
}
