using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.StyxClient.Imports;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>Imports share one link per remote node; a link goes when no import uses it any more.</summary>
public sealed class ImportTableTests : IAsyncDisposable
{
    private readonly NodeIdentity _self = NodeIdentity.Generate();
    private readonly UserIdentity _user = UserIdentity.Generate();
    private readonly NodeIdentity _first = NodeIdentity.Generate();
    private readonly NodeIdentity _second = NodeIdentity.Generate();
    private readonly LinkCredentialsSource _credentials;
    private readonly ImportTable _table;

    public ImportTableTests()
    {
        _credentials = new LinkCredentialsSource(_self, _user);
        _table = new ImportTable(_credentials, new ListLogger<NodeLink>());
    }

    private Resolution Export(string path, NodeIdentity node, string address = "127.0.0.1:7400")
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var entry = NamespaceEntry.Create(name, EntryKind.Export, node, _user, [address], DateTimeOffset.UtcNow.AddHours(1), 1);
        return new Resolution { Path = path, MountPath = path, NamesPath = path, Entry = new ListedEntry(name, entry) };
    }

    [Fact]
    public async Task ExportsOfOneNodeShareItsLinkAndAMovedExportLeavesTheOldNodesLinkClosed()
    {
        var music = _table.Add(Export("/alice/music", _first));
        var docs = _table.Add(Export("/alice/docs", _first, "127.0.0.1:7401"));
        Assert.Same(music.Link, docs.Link);
        Assert.Equal("idle", music.Link.State);

        // docs moves to another node: its own link there; the first node's link stays for music.
        var moved = _table.Add(Export("/alice/docs", _second));
        Assert.NotSame(music.Link, moved.Link);
        Assert.Equal(["/alice/docs", "/alice/music"], _table.All.Select(i => i.Path));
        Assert.Equal("idle", music.Link.State);

        // music moves too: nothing uses the first node's link any more.
        var musicMoved = _table.Add(Export("/alice/music", _second));
        Assert.Same(moved.Link, musicMoved.Link);
        await Cheshire.Testing.Eventually.TrueAsync(() => Task.FromResult(music.Link.State == "closed"), TimeSpan.FromSeconds(10),
            "the unused link closed", TestContext.Current.CancellationToken);

        Assert.True(await _table.DropAsync("/alice/music"));
        Assert.Equal("idle", moved.Link.State); // docs still uses it
        Assert.True(await _table.DropAsync("/alice/docs"));
        Assert.Equal("closed", moved.Link.State);
        Assert.False(await _table.DropAsync("/alice/docs"));
        Assert.Empty(_table.All);
    }

    [Fact]
    public void OnlyAnExportIsImported()
    {
        var resolution = Export("/alice", _first) with { Entry = null };
        Assert.Contains("did not resolve to an export", Assert.Throws<ArgumentException>(() => _table.Add(resolution)).Message);
    }

    public async ValueTask DisposeAsync()
    {
        await _table.DisposeAsync();
        _credentials.Dispose();
        foreach (var key in new Ed25519Identity[] { _self, _user, _first, _second }) key.Dispose();
    }
}
