using System.Diagnostics;
using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Protos.Dht;
using Cheshire.StyxClient.Imports;
using Microsoft.Extensions.Time.Testing;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>
/// Paths resolved through a real dht module process: entries put with its gRPC API as a provider would, read back,
/// verified and listed as the viewer's user sees them; refused values are dropped with a reason; a name nobody
/// publishes is "not found" in bounded time; answers are cached (FakeTimeProvider moves the clock).
/// </summary>
public sealed class ResolverTests(DhtFixture fixture) : IClassFixture<DhtFixture>, IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly UserIdentity _alice = UserIdentity.Generate();
    private readonly UserIdentity _bob = UserIdentity.Generate();
    private readonly string _salt = "resolver-test-" + Guid.NewGuid().ToString("N");
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly ListLogger<DhtDirectoryReader> _log = new();

    private ImportsSettings Settings => new()
    {
        Salt = _salt,
        LookupTimeout = TimeSpan.FromSeconds(5),
        MaxCacheTime = TimeSpan.FromMinutes(1),
        NegativeCacheTime = TimeSpan.FromSeconds(5),
    };

    private Publisher PublishIn(string? salt = null) => new(fixture.Dht.Client, fixture.Node, salt ?? _salt);

    /// <summary>A resolver as <paramref name="viewer"/>'s node runs it.</summary>
    private Resolver ResolverFor(UserIdentity viewer, string? salt = null)
    {
        var settings = Settings with { Salt = salt ?? _salt };
        var reader = new DhtDirectoryReader(fixture.Dht.Client, settings, viewer, _clock, _log);
        return new Resolver(new DirectoryListings(reader, settings, viewer, _clock));
    }

    [Fact]
    public async Task ADirectoryPublishedByTwoOwnersListsBothTheViewersUnderItsPlainName()
    {
        var publish = PublishIn();
        await publish.PutAsync("/", publish.Entry(_alice, "shared", EntryKind.Directory));
        await publish.PutAsync("/", publish.Entry(_bob, "shared", EntryKind.Directory));
        await publish.PutAsync("/", publish.Entry(_bob, "solo"));
        await publish.PutAsync("/shared", publish.Entry(_alice, "music"));
        await publish.PutAsync("/shared", publish.Entry(_bob, "photos", addresses: ["127.0.0.1:7401"]));

        var root = await ResolverFor(_alice).ResolveAsync("/", Ct);
        Assert.True(root.Found);
        Assert.Equal(["shared", $"shared@{_bob.Uid[..8]}", "solo"], root.Children.Select(c => c.Label));
        Assert.Equal([_alice.Uid, _bob.Uid, _bob.Uid], root.Children.Select(c => c.Entry.OwnerUid));

        // Bob sees the same directory the other way round.
        var asBob = await ResolverFor(_bob).ResolveAsync("/", Ct);
        Assert.Equal(["shared", $"shared@{_alice.Uid[..8]}", "solo"], asBob.Children.Select(c => c.Label));
        Assert.Equal([_bob.Uid, _alice.Uid, _bob.Uid], asBob.Children.Select(c => c.Entry.OwnerUid));

        // The label walks to bob's export; the DHT path (what bob published) has the plain name.
        var photos = await ResolverFor(_alice).ResolveAsync($"/shared@{_bob.Uid[..8]}/photos/2026/cat.jpg", Ct);
        Assert.True(photos.IsExport);
        Assert.Equal(($"/shared@{_bob.Uid[..8]}/photos", "/shared/photos"), (photos.MountPath, photos.NamesPath));
        Assert.Equal(["127.0.0.1:7401"], photos.Entry!.Entry.Addresses);
        Assert.Equal(new Cheshire.Kademlia.NodeId(fixture.Node.NodeId), photos.Entry.Entry.NodeId);

        // Both owners publish children under the same key: the listing shows them all.
        var shared = await ResolverFor(_alice).ResolveAsync("/shared", Ct);
        Assert.Equal(EntryKind.Directory, shared.Entry!.Entry.Kind);
        Assert.Equal(["music", "photos"], shared.Children.Select(c => c.Label));

        var missing = await ResolverFor(_alice).ResolveAsync("/shared/videos/x", Ct);
        Assert.False(missing.Found);
        Assert.Equal("/shared/videos", missing.Missing);
    }

    [Fact]
    public async Task ValuesThatDoNotVerifyAreDroppedWithTheReasonInTheLog()
    {
        var publish = PublishIn();
        await publish.PutAsync("/", publish.Entry(_alice, "good"));

        // An entry naming another node than the one that signed it (a copy re-signed by another key).
        using var other = NodeIdentity.Generate();
        var foreign = publish.Entry(_alice, "foreign", signer: other);
        await publish.PutRawAsync("/", EntryCodec.Encode(foreign), foreign.ValueId, foreign.Seq);

        // A binding bob made for another node, presented with this node's signature.
        var forged = publish.Entry(_bob, "forged") with { Binding = UserBinding.Create(_bob, other.PublicKey) };
        await publish.PutRawAsync("/", EntryCodec.Encode(forged), forged.ValueId, forged.Seq);

        // A replayed older entry under a newer value seq (tampered: the seqs differ).
        var replayed = publish.Entry(_alice, "replayed", seq: 3);
        await publish.PutRawAsync("/", EntryCodec.Encode(replayed), replayed.ValueId, 7);

        // Bob's owner-only entry: sealed to his owner key, which alice's node does not hold.
        await publish.PutAsync("/", publish.Entry(_bob, "private"), sealedTo: _bob);

        // An unsigned value wearing the entry type tag.
        var plain = publish.Entry(_alice, "plain");
        await publish.PutRawAsync("/", EntryCodec.Encode(plain), plain.ValueId, plain.Seq, kind: ValueKind.Plain);

        // Published in another network: a different key altogether.
        await PublishIn("another-" + _salt).PutAsync("/", publish.Entry(_alice, "elsewhere"));

        var root = await ResolverFor(_alice).ResolveAsync("/", Ct);
        Assert.Equal(["good"], root.Children.Select(c => c.Label));
        var log = string.Join("\n", _log.Lines);
        TestContext.Current.TestOutputHelper?.WriteLine(log);
        Assert.Contains($"the node id {foreign.NodeId} is not SHA1 of the key that signed the value", log);
        Assert.Contains("the user binding does not verify for the node key that signed the value", log);
        Assert.Contains("the entry's seq 3 is not the value's seq 7", log);
        Assert.Contains("dropped: sealed to another owner's key", log);
        Assert.Contains("the value is not signed", log);
        Assert.All(_log.Lines.Where(l => l.Contains("dropped")), l => Assert.StartsWith("Debug: /: value ", l));

        // Bob's own node opens his owner-only entry and lists it.
        Assert.Contains("private", (await ResolverFor(_bob).ResolveAsync("/", Ct)).Children.Select(c => c.Label));
        // The other network sees its own entry and nothing of this one.
        var elsewhere = await ResolverFor(_alice, "another-" + _salt).ResolveAsync("/", Ct);
        Assert.Equal(["elsewhere"], elsewhere.Children.Select(c => c.Label));
    }

    [Fact]
    public async Task AnEntryPastItsExpiryIsDropped()
    {
        var publish = PublishIn();
        var entry = NamespaceEntry.Create("brief", EntryKind.Export, fixture.Node, _alice, Publisher.Addresses,
            _clock.GetUtcNow().AddMinutes(2), 1);
        await publish.PutAsync("/", entry);
        Assert.True((await ResolverFor(_alice).ResolveAsync("/brief", Ct)).Found);

        _clock.Advance(TimeSpan.FromMinutes(3)); // the DHT still holds it (its ttl is an hour); the entry says it is over
        var later = await ResolverFor(_alice).ResolveAsync("/brief", Ct);
        Assert.False(later.Found);
        Assert.Contains(_log.Lines, l => l.Contains($"dropped: the entry expired at {entry.Expiry:u}"));
    }

    [Fact]
    public async Task ANameNobodyPublishesIsNotFoundWithinTheLookupTime()
    {
        var resolver = ResolverFor(_alice);
        var watch = Stopwatch.StartNew();
        var answer = await resolver.ResolveAsync("/nobody/here", Ct);
        Assert.False(answer.Found);
        Assert.Equal("/nobody", answer.Missing);
        Assert.True(watch.Elapsed < Settings.LookupTimeout + TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task ANegativeAnswerIsCachedBrieflyAndAListingForItsLifetime()
    {
        var publish = PublishIn();
        var resolver = ResolverFor(_alice);
        Assert.False((await resolver.ResolveAsync("/late", Ct)).Found);

        await publish.PutAsync("/", publish.Entry(_alice, "late"));
        Assert.False((await resolver.ResolveAsync("/late", Ct)).Found); // still the cached answer
        _clock.Advance(Settings.NegativeCacheTime - TimeSpan.FromMilliseconds(1));
        Assert.False((await resolver.ResolveAsync("/late", Ct)).Found);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True((await resolver.ResolveAsync("/late", Ct)).Found);

        // The listing with an entry holds for the cache cap (its entry holds longer): a new child shows after that.
        await publish.PutAsync("/", publish.Entry(_bob, "later"));
        _clock.Advance(Settings.NegativeCacheTime);
        Assert.Equal(["late"], (await resolver.ResolveAsync("/", Ct)).Children.Select(c => c.Label));
        _clock.Advance(Settings.MaxCacheTime);
        Assert.Equal(["late", "later"], (await resolver.ResolveAsync("/", Ct)).Children.Select(c => c.Label));
    }

    [Fact]
    public async Task ResolutionsOfOneDirectoryAtTheSameTimeShareOneDhtGet()
    {
        var publish = PublishIn();
        await publish.PutAsync("/", publish.Entry(_alice, "busy"));
        var resolver = ResolverFor(_alice);

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => resolver.ResolveAsync($"/busy/file{i}", Ct)));
        Assert.All(answers, a => Assert.Equal("/busy", a.MountPath));
        Assert.Single(_log.Lines, l => l.StartsWith("Debug: DHT get of /:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "A path is required")]
    [InlineData("alice", "is absolute")]
    [InlineData("/alice/../bob", "'..' is not allowed")]
    [InlineData("/alice/a\u0001b", "contains a control character")]
    public async Task ABadPathIsRefusedSayingWhy(string path, string why)
    {
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => ResolverFor(_alice).ResolveAsync(path, Ct));
        Assert.Contains(why, refused.Message);
    }

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }
}
