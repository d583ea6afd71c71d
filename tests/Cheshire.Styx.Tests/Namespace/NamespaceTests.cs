using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.FileSystem.Synthetic;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Namespaces;

public sealed class NamespaceTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static CreateOptions FileMode => new(UnixMode.Regular | 0x1A4, 0, 0, "glenda");
    private static CreateOptions DirectoryMode => new(UnixMode.Directory | 0x1ED, 0, 0, "glenda");

    private static async Task<RamFileSystem> RamWith(params string[] files)
    {
        var fs = new RamFileSystem();
        foreach (var path in files)
        {
            INode directory = fs.Root;
            var names = path.Split('/');
            foreach (var name in names[..^1])
            {
                try { directory = await directory.LookupAsync(name, None); }
                catch (StyxErrorException) { directory = await directory.CreateAsync(name, DirectoryMode, None); }
            }
            var file = await directory.CreateAsync(names[^1], FileMode, None);
            await using var open = await file.OpenAsync(new OpenOptions(OpenAccess.Write), None);
            await open.WriteAsync(0, Encoding.UTF8.GetBytes($"{path} of {fs.GetHashCode()}"), None);
        }
        return fs;
    }

    private static async Task<bool> ExistsIn(RamFileSystem fs, string name)
    {
        try
        {
            await ((INode)fs.Root).LookupAsync(name, None);
            return true;
        }
        catch (StyxErrorException e) when (e.Errno == Errno.ENOENT)
        {
            return false;
        }
    }

    [Fact]
    public async Task Union_lists_layers_in_order_and_first_layer_wins()
    {
        var a = await RamWith("x", "shared");
        var b = await RamWith("y", "shared");
        var c = await RamWith("z");
        var ns = new Namespace();
        ns.Mount("/u", a);
        ns.Mount("/u", b, flags: MountFlags.After);
        ns.Mount("/u", c, flags: MountFlags.Before);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        Assert.Equal(["z", "x", "shared", "y"], await client.NamesAsync("/u"));
        Assert.Equal($"shared of {a.GetHashCode()}", await client.ReadTextAsync("/u/shared"));
        Assert.Equal($"y of {b.GetHashCode()}", await client.ReadTextAsync("/u/y"));
        Assert.Equal(["/u", "/u", "/u"], ns.List().Select(m => m.Path));
        Assert.Equal([MountFlags.Before, MountFlags.Replace, MountFlags.After], ns.List().Select(m => m.Flags));
    }

    [Fact]
    public async Task Creates_go_to_the_create_layer_else_the_first()
    {
        var a = await RamWith("x");
        var b = await RamWith("y");
        var ns = new Namespace();
        ns.Mount("/u", a);
        var bMount = ns.Mount("/u", b, flags: MountFlags.After | MountFlags.Create);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        await client.WriteTextAsync("/u/new", "hello");
        await client.MkdirAsync("/u/newdir");
        Assert.True(await ExistsIn(b, "new"));
        Assert.True(await ExistsIn(b, "newdir"));
        Assert.False(await ExistsIn(a, "new"));
        Assert.Equal("hello", await client.ReadTextAsync("/u/new"));

        Assert.True(ns.Unmount(bMount.Id));
        ns.Mount("/u", b, flags: MountFlags.After);
        await client.WriteTextAsync("/u/other", "to the first layer");
        Assert.True(await ExistsIn(a, "other"));
        Assert.False(await ExistsIn(b, "other"));
    }

    [Fact]
    public async Task Deeper_mounts_shadow_the_tree_entries()
    {
        var outer = await RamWith("b/only-in-outer", "top");
        var inner = await RamWith("only-in-inner");
        var ns = new Namespace();
        ns.Mount("/a", outer);
        ns.Mount("/a/b", inner);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        Assert.Equal(["only-in-inner"], await client.NamesAsync("/a/b"));
        var listing = await client.ReaddirAsync("/a");
        Assert.Equal(["b", "top"], listing.Select(d => d.Name).Order());
        var b = listing.Single(d => d.Name == "b");
        Assert.Equal(await client.QidAsync("/a/b"), b.Qid);
        Assert.Equal(Errno.EBUSY, await NinePClient.ErrnoOf(() => client.UnlinkAsync("/a/b", directory: true)));
        Assert.Equal(Errno.EBUSY, await NinePClient.ErrnoOf(() => client.RenameAsync("/a/top", "/a/b")));
        Assert.Equal(Errno.EEXIST, await NinePClient.ErrnoOf(() => client.MkdirAsync("/a/b")));
    }

    [Fact]
    public async Task Prefixes_of_mount_points_are_synthetic_read_only_directories()
    {
        var ns = new Namespace();
        ns.Mount("/x/y/z", await RamWith("file"));
        ns.Mount("/w", await RamWith());
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        Assert.Equal(["w", "x"], await client.NamesAsync("/"));
        Assert.Equal(["y"], await client.NamesAsync("/x"));
        Assert.Equal(["file"], await client.NamesAsync("/x/y/z"));
        var x = await client.WithFidAsync("/x", fid => client.Client.GetattrAsync(fid));
        Assert.Equal(UnixMode.Directory, x.Mode & UnixMode.TypeMask);
        Assert.True(x.Qid.IsDirectory);
        Assert.NotEqual(x.Qid.Path, (await client.QidAsync("/x/y")).Path);
        Assert.Equal(Errno.EROFS, await NinePClient.ErrnoOf(() => client.WriteTextAsync("/x/f", "no")));
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.QidAsync("/x/nothing")));

        await using var plan9 = await h.ConnectAsync(DialectNames.Styx2000);
        var fid = await plan9.WalkAsync("/x/y");
        var stat = await plan9.Client.StatAsync(fid);
        Assert.Equal("y", stat.Name);
        Assert.Equal(StyxMode.Directory, stat.Mode & StyxMode.Directory);
    }

    [Fact]
    public async Task Unmount_while_a_fid_is_inside_keeps_that_fid_working()
    {
        var tree = await RamWith("dir/file");
        var ns = new Namespace();
        ns.Mount("/m", tree);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();
        var c = client.Client;

        var file = await client.WalkAsync("/m/dir/file");
        await c.LopenAsync(file, LinuxOpenFlags.ReadOnly);
        var dir = await client.WalkAsync("/m/dir");
        Assert.True(ns.Unmount("/m"));
        Assert.Empty(ns.List());

        Assert.Equal($"dir/file of {tree.GetHashCode()}", Encoding.UTF8.GetString(await c.ReadAllAsync(file)));
        var again = c.NewFid();
        await c.WalkAsync(dir, again, ["file"]);
        await c.GetattrAsync(again);
        var up = c.NewFid();
        await c.WalkAsync(dir, up, [".."]);
        await c.GetattrAsync(up);
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => client.QidAsync("/m")));
        Assert.Empty(await client.NamesAsync("/"));
        foreach (var fid in new[] { file, dir, again, up }) await c.ClunkAsync(fid);
    }

    [Fact]
    public async Task Qids_stay_unique_across_identical_trees()
    {
        var a = await RamWith("d/f");
        var b = await RamWith("d/f");
        var ns = new Namespace();
        ns.Mount("/a", a);
        ns.Mount("/b", b);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        var paths = new[] { "/", "/a", "/b", "/a/d", "/b/d", "/a/d/f", "/b/d/f" };
        var qids = new List<Qid>();
        foreach (var path in paths) qids.Add(await client.QidAsync(path));
        Assert.Equal(paths.Length, qids.Select(q => q.Path).Distinct().Count());
        Assert.Equal(((INode)a.Root).Qid.Path, (await client.QidAsync("/a")).Path & 0xFFFF_FFFF_FFFF);
        Assert.True((await client.QidAsync("/a/d")).IsDirectory);
        Assert.False((await client.QidAsync("/b/d/f")).IsDirectory);
        var listed = await client.ReaddirAsync("/b/d");
        Assert.Equal(await client.QidAsync("/b/d/f"), listed.Single().Qid);
    }

    [Fact]
    public async Task Rename_within_a_tree_works_and_across_mounts_is_exdev()
    {
        var ns = new Namespace();
        ns.Mount("/a", await RamWith("f", "d/g"));
        ns.Mount("/b", await RamWith("h"));
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        Assert.Equal(Errno.EXDEV, await NinePClient.ErrnoOf(() => client.RenameAsync("/a/f", "/b/f")));
        await client.RenameAsync("/a/f", "/a/d/moved");
        Assert.Equal(["g", "moved"], (await client.NamesAsync("/a/d")).Order());

        var c = client.Client;
        var file = await client.WalkAsync("/a/d/moved");
        var other = await client.WalkAsync("/b");
        Assert.Equal(Errno.EXDEV, await NinePClient.ErrnoOf(() => c.RpcAsync(new Trename(0, file, other, "x"))
            .ContinueWith(t => t.Result is Rlerror e ? throw new StyxErrorException(e.Errno) : t.Result)));
    }

    [Fact]
    public async Task File_operations_pass_through_for_every_dialect()
    {
        var ns = new Namespace();
        var ram = new RamFileSystem();
        ns.Mount("/r", ram);
        var control = new SyntheticDirectory("ctl");
        control.AddFile("status", () => "ok\n");
        ns.Bind("/ctl", control);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        var data = new byte[1 << 20];
        new Random(7).NextBytes(data);
        await client.MkdirAsync("/r/dir");
        await client.WriteAsync("/r/dir/big", data);
        Assert.Equal(data, await client.ReadAsync("/r/dir/big"));
        Assert.Equal("ok\n", await client.ReadTextAsync("/ctl/status"));

        var c = client.Client;
        var big = await client.WalkAsync("/r/dir/big");
        await c.SetattrAsync(new Tsetattr(0, big, SetattrMask.Size | SetattrMask.Mode, 0x180, 0, 0, 1000, 0, 0, 0, 0));
        var attributes = await c.GetattrAsync(big);
        Assert.Equal(1000ul, attributes.Size);
        Assert.Equal(0x180u, attributes.Mode & 0x1FF);
        var statfs = await c.StatfsAsync(big);
        Assert.Equal(FileSystemStatistics.V9fsMagic, statfs.FsType);
        await c.ClunkAsync(big);
        await client.UnlinkAsync("/r/dir/big");
        await client.UnlinkAsync("/r/dir", directory: true);
        Assert.Empty(await client.NamesAsync("/r"));

        foreach (var version in new[] { DialectNames.Styx2000, DialectNames.Unix })
        {
            await using var old = await h.ConnectAsync(version);
            var dir = await old.WalkAsync("/r");
            var created = await old.Client.CreateAsync(dir, "f", 0x1A4, StyxOpenMode.Write);
            await old.Client.WriteAllAsync(dir, 0, data.AsMemory(0, 100_000));
            await old.Client.ClunkAsync(dir);
            var file = await old.WalkAsync("/r/f");
            await old.Client.OpenAsync(file, StyxOpenMode.Read);
            Assert.Equal(data[..100_000], await old.Client.ReadAllAsync(file));
            await old.Client.ClunkAsync(file);
            var root = await old.WalkAsync("/");
            await old.Client.OpenAsync(root, StyxOpenMode.Read);
            var entries = StatEntry.ReadDirectory(await old.Client.ReadAllAsync(root), old.Client.Dialect);
            Assert.Equal(["ctl", "r"], entries.Select(e => e.Name).Order());
            await old.Client.ClunkAsync(root);
            var remove = await old.WalkAsync("/r/f");
            await old.Client.RemoveAsync(remove);
            Assert.True(created.Qid.Path >> 48 != 0);
        }
    }

    [Fact]
    public async Task Aname_attaches_to_a_namespace_path()
    {
        var ns = new Namespace();
        ns.Mount("/deep/tree", await RamWith("f"));
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync(aname: "/deep/tree");
        Assert.Equal(["f"], await client.NamesAsync("/"));
    }

    [Fact]
    public async Task Mount_table_changes_while_clients_walk()
    {
        var ns = new Namespace();
        var tree = await RamWith("d/f");
        ns.Mount("/stable", tree);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1.5));
        var churn = Task.Run(() =>
        {
            int n = 0;
            while (!stop.IsCancellationRequested)
            {
                var info = ns.Mount($"/churn/{n % 5}", tree, flags: n % 2 == 0 ? MountFlags.Replace : MountFlags.After);
                if (n % 3 == 0) ns.Unmount(info.Id);
                if (n % 7 == 0) ns.Unmount($"/churn/{n % 5}");
                n++;
            }
            return n;
        });
        int walks = 0;
        while (!stop.IsCancellationRequested)
        {
            Assert.Contains("stable", await client.NamesAsync("/"));
            Assert.Equal(["f"], await client.NamesAsync("/stable/d"));
            try
            {
                await client.NamesAsync("/churn/1");
            }
            catch (StyxErrorException e) when (e.Errno == Errno.ENOENT)
            {
            }
            walks++;
        }
        Assert.True(await churn > 10);
        Assert.True(walks > 10);
    }

    [Fact]
    public async Task Every_directory_and_synthetic_file_has_its_own_qid_path_and_true_size()
    {
        // As styx-root builds it: synthetic trees mounted (not bound) at /cheshire and deeper paths.
        var ns = new Namespace();
        var trees = Enumerable.Range(0, 5).Select(i =>
        {
            var tree = new SyntheticDirectory($"t{i}");
            tree.AddFile("node", () => $"content of {i}\n");
            tree.AddDirectory("sub").AddFile("deep", () => "deeper\n");
            return tree;
        }).ToList();
        ns.Mount("/cheshire", trees[0]);
        for (int i = 1; i < trees.Count; i++) ns.Mount($"/srv/t{i}", trees[i]);
        await using var h = NamespaceHarness.Start(ns);
        await using var client = await h.ConnectAsync();

        var paths = new List<string> { "/", "/srv", "/cheshire", "/cheshire/node", "/cheshire/sub", "/cheshire/sub/deep" };
        for (int i = 1; i < trees.Count; i++) paths.AddRange([$"/srv/t{i}", $"/srv/t{i}/node", $"/srv/t{i}/sub", $"/srv/t{i}/sub/deep"]);
        var qids = new Dictionary<ulong, string>();
        foreach (var path in paths)
        {
            var qid = await client.QidAsync(path);
            Assert.True(qids.TryAdd(qid.Path, path), $"{path} has the qid path of {qids.GetValueOrDefault(qid.Path)}");
        }

        var node = await client.WalkAsync("/cheshire/node");
        Assert.Equal((ulong)"content of 0\n".Length, (await client.Client.GetattrAsync(node)).Size);
        await client.Client.ClunkAsync(node);
        Assert.Equal("content of 0\n", await client.ReadTextAsync("/cheshire/node"));
    }
}
