using System.Net;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Transport;
using Cheshire.Kademlia.Values;

namespace Cheshire.GlobalNamespace.Tests;

/// <summary>
/// Entries published through real Kademlia nodes over UDP on loopback, as providers publish them, and listed as a
/// resolver lists a directory: one get per directory key, each value verified, then selected.
/// </summary>
public sealed class NamespaceOverDhtTests : IAsyncLifetime
{
    private const string Salt = "dht-test-network";

    private static readonly KademliaOptions Options = new()
    {
        RequestTimeout = TimeSpan.FromMilliseconds(500),
        MaintenanceInterval = TimeSpan.FromMilliseconds(200),
        RateLimitPerSecond = 0,
    };

    private readonly List<KademliaNode> _dht = [];
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(30));

    public async ValueTask InitializeAsync()
    {
        for (var i = 0; i < 4; i++)
        {
            using var identity = NodeIdentity.Generate();
            var node = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, 0), Options);
            await node.StartAsync(_timeout.Token);
            _dht.Add(node);
        }
        foreach (var node in _dht.Skip(1))
            Assert.True(await node.BootstrapAsync([_dht[0].EndPoint], _timeout.Token) > 0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _dht) await node.DisposeAsync();
        _timeout.Dispose();
    }

    [Fact]
    public async Task ExportsOfTwoNodesOfOneUserAndAnotherUserAreListedFromTheRoot()
    {
        using var aliceDesk = new Publisher();
        using var aliceLaptop = aliceDesk.SecondNode();
        using var bob = new Publisher();

        await PublishAsync(_dht[0], aliceDesk, "/alice/music", seq: 1);
        await PublishAsync(_dht[1], aliceLaptop, "/alice/photos", seq: 1);
        await PublishAsync(_dht[2], bob, "/alice", seq: 1);

        var root = await ListAsync(_dht[3], "/", aliceDesk.User.Uid);
        var alice = await ListAsync(_dht[3], "/alice", aliceDesk.User.Uid);
        var rootForCarol = await ListAsync(_dht[3], "/", new string('c', 40));

        // Both of Alice's nodes published "alice" under "/": the DHT kept both (one value id per node), the listing one.
        Assert.Equal(new[] { "alice", $"alice@{bob.User.Uid[..8]}" }.Order(StringComparer.Ordinal), root.Select(e => e.Label));
        Assert.Equal(EntryKind.Directory, EntrySelection.Find(root, "alice")!.Entry.Kind);
        Assert.Equal(EntryKind.Export, EntrySelection.Find(root, $"alice@{bob.User.Uid[..8]}")!.Entry.Kind);
        Assert.Equal(["music", "photos"], alice.Select(e => e.Label));
        Assert.Equal(aliceLaptop.Node.NodeId, EntrySelection.Find(alice, "photos")!.Entry.NodeId.ToArray());
        Assert.Equal(new[] { $"alice@{aliceDesk.User.Uid[..8]}", $"alice@{bob.User.Uid[..8]}" }.Order(StringComparer.Ordinal),
            rootForCarol.Select(e => e.Label));
    }

    [Fact]
    public async Task ARepublishReplacesTheOldValueAndAnotherSaltSeesNothing()
    {
        using var alice = new Publisher();

        await PublishAsync(_dht[0], alice, "/alice/music", seq: 1, address: "127.0.0.1:7001");
        await PublishAsync(_dht[0], alice, "/alice/music", seq: 2, address: "127.0.0.1:7002");

        var values = await GetAsync(_dht[3], DirectoryKey.For("/alice", Salt));
        var listing = await ListAsync(_dht[3], "/alice", alice.User.Uid);
        var otherNetwork = await GetAsync(_dht[3], DirectoryKey.For("/alice", "another-network"));

        Assert.Equal(2UL, Assert.Single(values).Seq);
        Assert.Equal(["127.0.0.1:7002"], Assert.Single(listing).Entry.Addresses);
        Assert.Empty(otherNetwork);
    }

    [Fact]
    public async Task AnOwnerOnlyExportIsListedForItsOwnerOnly()
    {
        using var alice = new Publisher();
        using var aliceLaptop = alice.SecondNode();
        using var bob = new Publisher();

        await PublishAsync(_dht[0], alice, "/alice/private", seq: 1, encrypt: true);

        using var laptopKey = OwnerEncryption.KeyPair(aliceLaptop.User);
        using var bobKey = OwnerEncryption.KeyPair(bob.User);
        var forAlice = await ListAsync(_dht[3], "/alice", alice.User.Uid, laptopKey);
        var forBob = await ListAsync(_dht[3], "/alice", bob.User.Uid, bobKey);

        Assert.Equal("private", Assert.Single(forAlice).Label);
        Assert.Empty(forBob);
    }

    private async Task PublishAsync(KademliaNode dht, Publisher publisher, string exportPath, ulong seq, string address = "127.0.0.1:7400",
        bool encrypt = false)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var publication in PublicationPlan.For(exportPath))
        {
            var entry = NamespaceEntry.Create(publication.Name, publication.Kind, publisher.Node, publisher.User, [address], now.AddMinutes(10), seq);
            var sealedToOwner = encrypt && publication.Kind == EntryKind.Export;
            var value = EntryCodec.ToDhtValue(entry, publication.Key(Salt), publisher.Node, publisher.User, sealedToOwner, now);
            var put = await dht.PutAsync(publication.Key(Salt), value, republish: false, _timeout.Token);
            Assert.True(put.Stored > 0, $"nobody stored {publication.ChildPath}: {string.Join(", ", put.Errors)}");
            Assert.Empty(put.Errors);
        }
    }

    private async Task<List<DhtValue>> GetAsync(KademliaNode dht, NodeId key)
    {
        var values = new List<DhtValue>();
        await foreach (var value in dht.GetAsync(key, _timeout.Token))
            values.Add(value);
        return values;
    }

    private async Task<IReadOnlyList<ListedEntry>> ListAsync(KademliaNode dht, string directory, string viewerUid, EncryptionKeyPair? key = null)
    {
        var dhtKey = DirectoryKey.For(directory, Salt);
        var entries = new List<NamespaceEntry>();
        foreach (var value in await GetAsync(dht, dhtKey))
        {
            if (EntryCodec.TryRead(value, dhtKey, DateTimeOffset.UtcNow, key, out var entry, out _))
                entries.Add(entry);
        }
        return EntrySelection.Select(entries, viewerUid);
    }
}
