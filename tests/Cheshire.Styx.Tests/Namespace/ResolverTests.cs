using System.Diagnostics;
using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.FileSystem.Synthetic;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.Styx.Tests.Namespaces;

/// <summary>Names the local namespace lacks, found through an <see cref="INamespaceResolver"/> over real 9P servers.</summary>
public sealed partial class ResolverTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly List<IAsyncDisposable> _servers = [];

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers) await server.DisposeAsync();
    }

    /// <summary>A RAM tree with one file, served by a 9P server on 127.0.0.1.</summary>
    private async Task<LoopbackServer> ServeAsync(string file, string text)
    {
        var fs = new RamFileSystem();
        var node = await ((INode)fs.Root).CreateAsync(file, new CreateOptions(UnixMode.Regular | 0x1A4, 0, 0, "glenda"), None);
        await using (var open = await node.OpenAsync(new OpenOptions(OpenAccess.Write), None))
            await open.WriteAsync(0, Encoding.UTF8.GetBytes(text), None);
        var server = new LoopbackServer(fs);
        _servers.Add(server);
        return server;
    }

    /// <summary>A node's namespace: a control tree and /tmp, and the global namespace behind the resolver.</summary>
    private static Namespace NodeNamespace(TableResolver resolver, TimeSpan? timeout = null)
    {
        var ns = new Namespace(resolver: resolver) { ResolveTimeout = timeout ?? Namespace.DefaultResolveTimeout };
        var control = new SyntheticDirectory("cheshire");
        control.AddFile("node", () => "local\n");
        ns.Mount("/cheshire", control, description: "cheshire");
        ns.Mount("/tmp", new RamFileSystem(), description: "ram");
        return ns;
    }

    [Fact]
    public async Task A_walk_the_local_tree_misses_mounts_the_resolved_export_and_later_walks_are_local()
    {
        var music = await ServeAsync("song.txt", "la la la");
        var resolver = new TableResolver().Directory("/", "alice").Directory("/alice", "music").Export("/alice/music", music);
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var client = await h.ConnectAsync();

        Assert.Equal("la la la", await client.ReadTextAsync("/alice/music/song.txt"));
        Assert.Equal("la la la", await client.ReadTextAsync("/alice/music/song.txt"));

        var import = Assert.Single(h.Namespace.List(), m => m.Path == "/alice/music");
        Assert.Equal("import /alice/music from test", import.Description);
        Assert.Equal(1, resolver.Asked.Count(p => p == "/alice/music"));
        Assert.DoesNotContain(resolver.Asked, p => p.StartsWith("/alice/music/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Listings_of_root_and_of_a_resolved_directory_are_local_names_then_remote_names_once()
    {
        var music = await ServeAsync("song.txt", "la");
        var resolver = new TableResolver()
            .Directory("/", "alice", "tmp", "bob")
            .Directory("/alice", "music", "photos")
            .Directory("/alice/photos")
            .Directory("/bob")
            .Export("/alice/music", music);
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var client = await h.ConnectAsync();

        Assert.Equal(["cheshire", "tmp", "alice", "bob"], await client.NamesAsync("/"));
        Assert.Equal(["music", "photos"], await client.NamesAsync("/alice"));
        Assert.True((await client.QidAsync("/alice/photos")).IsDirectory);

        // Once /alice/music is mounted, /alice is a local synthetic directory and still shows the remote names.
        Assert.Equal(["song.txt"], await client.NamesAsync("/alice/music"));
        Assert.Equal(["music", "photos"], await client.NamesAsync("/alice"));
        Assert.Empty(await client.NamesAsync("/bob"));
    }

    [Fact]
    public async Task A_name_nobody_has_is_ENOENT_and_names_inside_local_mounts_are_never_asked()
    {
        var resolver = new TableResolver().Directory("/", "alice").Directory("/alice");
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var client = await h.ConnectAsync();

        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.WalkAsync("/nobody")));
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.WalkAsync("/alice/nothing")));
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.WalkAsync("/cheshire/nothing")));
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.WalkAsync("/tmp/nothing")));
        Assert.Equal(["node"], await client.NamesAsync("/cheshire"));
        Assert.Empty(await client.NamesAsync("/tmp"));

        Assert.Equal(["/nobody", "/alice", "/alice/nothing"], resolver.Asked);
        Assert.DoesNotContain(h.Namespace.List(), m => m.Path.StartsWith("/alice", StringComparison.Ordinal) || m.Path == "/nobody");
    }

    [Fact]
    public async Task A_failing_resolver_fails_the_walk_with_EIO_saying_why_and_listings_keep_the_local_names()
    {
        var resolver = new TableResolver { Failure = new IOException("styx-client is not running") };
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var plan9 = await h.ConnectAsync(DialectNames.Unix);
        await using var linux = await h.ConnectAsync();

        var error = await Assert.ThrowsAsync<StyxErrorException>(() => plan9.WalkAsync("/alice"));
        Assert.Contains("resolving /alice: styx-client is not running", error.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => linux.WalkAsync("/alice")));
        Assert.Equal(["cheshire", "tmp"], await linux.NamesAsync("/"));
        Assert.Equal("local\n", await linux.ReadTextAsync("/cheshire/node"));
    }

    [Fact]
    public async Task A_resolver_that_never_answers_fails_the_walk_at_the_deadline()
    {
        var resolver = new TableResolver { Hang = true };
        var ns = NodeNamespace(resolver, TimeSpan.FromMilliseconds(300));
        await using var h = NamespaceHarness.Start(ns);
        await using var plan9 = await h.ConnectAsync(DialectNames.Unix);
        await using var linux = await h.ConnectAsync();

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StyxErrorException>(() => plan9.WalkAsync("/alice"));
        Assert.Contains("resolving /alice: no answer within 0.3 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(["cheshire", "tmp"], await linux.NamesAsync("/"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Unmounting_an_import_closes_its_tree_and_the_next_walk_resolves_it_again()
    {
        var music = await ServeAsync("song.txt", "la la la");
        var resolver = new TableResolver().Directory("/", "music").Export("/music", music);
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var client = await h.ConnectAsync();
        Assert.Equal("la la la", await client.ReadTextAsync("/music/song.txt"));
        var first = Assert.Single(resolver.Trees);

        Assert.True(h.Namespace.Unmount("/music"));

        var user = new AttachRequest("glenda", "", 0);
        await Eventually.TrueAsync(() => IsClosedAsync(first, user), TimeSpan.FromSeconds(10), "the unmounted import's tree disposed",
            TestContext.Current.CancellationToken);
        Assert.Equal("la la la", await client.ReadTextAsync("/music/song.txt"));
        Assert.Equal(2, resolver.Asked.Count(p => p == "/music"));
        Assert.Equal(2, resolver.Trees.Count);
    }

    [Fact]
    public async Task Walks_racing_to_one_export_mount_it_once_and_the_extra_tree_is_closed()
    {
        var music = await ServeAsync("song.txt", "la la la");
        var resolver = new TableResolver { ExportsTogether = 2 }.Directory("/", "music").Export("/music", music);
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var first = await h.ConnectAsync();
        await using var second = await h.ConnectAsync();

        var texts = await Task.WhenAll(first.ReadTextAsync("/music/song.txt"), second.ReadTextAsync("/music/song.txt"));

        Assert.Equal(["la la la", "la la la"], texts);
        Assert.Single(h.Namespace.List(), m => m.Path == "/music");
        Assert.Equal(2, resolver.Trees.Count);
        var user = new AttachRequest("glenda", "", 0);
        await Eventually.TrueAsync(async () =>
        {
            var disposed = 0;
            foreach (var tree in resolver.Trees)
            {
                if (await IsClosedAsync(tree, user)) disposed++;
            }
            return disposed == 1;
        }, TimeSpan.FromSeconds(10), "one of the two trees closed", TestContext.Current.CancellationToken);
    }

    /// <summary>Whether a tree refuses to attach because it was disposed (ObjectDisposedException, or EIO saying it is closed).</summary>
    private static async Task<bool> IsClosedAsync(IFileSystem tree, AttachRequest user)
    {
        try
        {
            await tree.AttachAsync(user, None);
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
        catch (StyxErrorException e) when (e.Message.Contains("closed", StringComparison.Ordinal))
        {
            return true;
        }
    }

    [Fact]
    public async Task A_local_mount_shadows_the_remote_name()
    {
        var remote = await ServeAsync("whose", "remote");
        var local = new RamFileSystem();
        var resolver = new TableResolver().Directory("/", "music").Export("/music", remote);
        var ns = NodeNamespace(resolver);
        ns.Mount("/music", local, description: "local music");
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();
        await client.WriteTextAsync("/music/whose", "local");

        Assert.Equal("local", await client.ReadTextAsync("/music/whose"));
        Assert.Equal(["cheshire", "music", "tmp"], (await client.NamesAsync("/")).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("/music", resolver.Asked);
        Assert.Equal("local music", Assert.Single(h.Namespace.List(), m => m.Path == "/music").Description);
    }

    [Fact]
    public async Task An_export_that_cannot_be_attached_fails_the_walk_and_is_not_kept_mounted()
    {
        var gone = await ServeAsync("x", "x");
        var resolver = new TableResolver().Directory("/", "alice").Export("/alice", gone);
        await gone.DisposeAsync();
        _servers.Remove(gone);
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var client = await h.ConnectAsync();

        Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => client.WalkAsync("/alice")));
        Assert.DoesNotContain(h.Namespace.List(), m => m.Path == "/alice");
        Assert.Equal(Errno.EIO, await NinePClient.ErrnoOf(() => client.WalkAsync("/alice")));
        Assert.Equal(2, resolver.Asked.Count(p => p == "/alice"));
    }
}
