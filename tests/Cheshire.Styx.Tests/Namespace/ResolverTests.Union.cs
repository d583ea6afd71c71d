using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Namespaces;

/// <summary>Local and remote names in one directory: unions, a local name hiding a remote one, how remote names stat.</summary>
public sealed partial class ResolverTests
{
    private const string OtherOwner = "0123abcd0123abcd0123abcd0123abcd0123abcd";

    /// <summary>A namespace where /alice/docs is a local RAM tree holding note.txt ("local").</summary>
    private async Task<Namespace> WithLocalDocsAsync(TableResolver resolver)
    {
        var ns = NodeNamespace(resolver);
        var docs = new RamFileSystem();
        ns.Mount("/alice/docs", docs, description: "local docs");
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();
        await client.WriteTextAsync("/alice/docs/note.txt", "local");
        return ns;
    }

    [Fact]
    public async Task A_local_synthetic_directory_and_a_remote_directory_of_one_name_are_one_union_directory()
    {
        var music = await ServeAsync("song.txt", "remote song");
        var resolver = new TableResolver().Directory("/alice", "music").Export("/alice/music", music)
            .Child("/", new RemoteName("alice") { Alias = "alice@0123abcd" }); // a union: the alias is not listed
        await using var h = NamespaceHarness.Start(await WithLocalDocsAsync(resolver));
        await using var client = await h.ConnectAsync();

        Assert.Equal(["alice", "cheshire", "tmp"], await client.NamesAsync("/"));
        Assert.Equal(["docs", "music"], await client.NamesAsync("/alice"));
        Assert.Equal("local", await client.ReadTextAsync("/alice/docs/note.txt"));
        Assert.Equal("remote song", await client.ReadTextAsync("/alice/music/song.txt"));
        Assert.Equal(["song.txt"], await client.NamesAsync("/alice/music"));
    }

    [Fact]
    public async Task A_local_name_wins_and_the_remote_one_of_another_owner_is_listed_and_walked_by_its_alias()
    {
        var theirs = await ServeAsync("note.txt", "remote");
        var hidden = await ServeAsync("note.txt", "never");
        var resolver = new TableResolver().Directory("/", "alice").Directory("/alice")
            .Child("/alice", new RemoteName("docs") { IsTree = true, Alias = "docs@0123abcd" }).Export("/alice/docs", theirs)
            .Child("/", new RemoteName("tmp") { IsTree = true }).Export("/tmp", hidden); // no alias: this user's own
        await using var h = NamespaceHarness.Start(await WithLocalDocsAsync(resolver));
        await using var client = await h.ConnectAsync();

        Assert.Equal(["docs", "docs@0123abcd"], await client.NamesAsync("/alice"));
        Assert.Equal("local", await client.ReadTextAsync("/alice/docs/note.txt"));
        Assert.Equal("remote", await client.ReadTextAsync("/alice/docs@0123abcd/note.txt"));
        Assert.Equal(["alice", "cheshire", "tmp"], await client.NamesAsync("/"));
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.WalkAsync("/tmp/note.txt")));
        Assert.Contains(h.Namespace.List(), m => m.Path == "/alice/docs@0123abcd" && m.Description == "import /alice/docs@0123abcd from test");
    }

    [Fact]
    public async Task A_remote_directory_under_the_name_of_a_local_tree_is_listed_by_its_alias()
    {
        var music = await ServeAsync("song.txt", "theirs");
        var resolver = new TableResolver().Directory("/alice", "music").Export("/alice/music", music)
            .Child("/", new RemoteName("alice") { Alias = "alice@0123abcd" });
        var ns = NodeNamespace(resolver);
        ns.Mount("/alice", new RamFileSystem(), description: "local alice");
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        Assert.Equal(["alice", "cheshire", "tmp", "alice@0123abcd"], await client.NamesAsync("/"));
        Assert.Empty(await client.NamesAsync("/alice"));
        Assert.Equal(["music"], await client.NamesAsync("/alice@0123abcd"));
        Assert.Equal("theirs", await client.ReadTextAsync("/alice@0123abcd/music/song.txt"));
    }

    [Fact]
    public async Task Remote_names_stat_as_their_owner_and_time_before_anything_is_attached()
    {
        var published = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        var music = await ServeAsync("song.txt", "la");
        var resolver = new TableResolver().Directory("/", "alice").Directory("/alice")
            .Child("/alice", new RemoteName("music") { IsTree = true, Look = new RemoteLook(OtherOwner, published) })
            .Child("/alice", new RemoteName("photos") { Look = new RemoteLook(OtherOwner) })
            .Directory("/alice/photos").Export("/alice/music", music);
        resolver.Looks["/alice/photos"] = new RemoteLook(OtherOwner);
        await using var h = NamespaceHarness.Start(NodeNamespace(resolver));
        await using var plan9 = await h.ConnectAsync(DialectNames.Unix);

        var listing = await plan9.WithFidAsync("/alice", async fid =>
        {
            await plan9.Client.OpenAsync(fid, StyxOpenMode.Read);
            return StatEntry.ReadDirectory(await plan9.Client.ReadAllAsync(fid), Dialect.Unix).ToDictionary(e => e.Name);
        });
        var listed = listing["music"];
        Assert.Equal((OtherOwner, StyxMode.Directory | 0x1ED, (uint)published.ToUnixTimeSeconds()), (listed.Uid, listed.Mode, listed.Mtime));
        Assert.Equal((OtherOwner, StyxMode.Directory | 0x16D), (listing["photos"].Uid, listing["photos"].Mode));

        var walked = await plan9.WithFidAsync("/alice/photos", fid => plan9.Client.StatAsync(fid));
        Assert.Equal(("photos", OtherOwner), (walked.Name, walked.Uid));
        Assert.Equal("cheshire", (await plan9.WithFidAsync("/alice", fid => plan9.Client.StatAsync(fid))).Uid);
        Assert.Empty(resolver.Trees);
    }

    [Fact]
    public async Task A_deferred_root_is_stat_without_attaching_and_renames_into_it_reach_the_real_root()
    {
        var ns = new Namespace();
        var deferred = new DeferredTree(new RamFileSystem());
        ns.Mount("/music", deferred, description: "deferred");
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        Assert.True((await client.QidAsync("/music")).IsDirectory);
        Assert.Equal(0, deferred.Attaches);

        await client.MkdirAsync("/music/a");
        await client.WriteTextAsync("/music/a/song.txt", "la");
        await client.RenameAsync("/music/a/song.txt", "/music/song.txt");
        Assert.Equal("la", await client.ReadTextAsync("/music/song.txt"));
        Assert.Equal(["a", "song.txt"], (await client.NamesAsync("/music")).Order(StringComparer.Ordinal));
        Assert.True(deferred.Attaches > 0);
    }
}
