using Cheshire.Styx.FileSystem;
using System.Diagnostics;
using System.Text;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Local;

/// <summary>Everyday use of an exported directory over 9P2000.L, checked through the client and on the host.</summary>
public sealed class LocalExportTests
{
    private const uint ReadWrite = LinuxOpenFlags.ReadWrite;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Files_are_written_appended_renamed_and_removed(bool useOpenat2)
    {
        await using var export = LocalExport.Start(useOpenat2: useOpenat2);
        await using var c = await export.ConnectAsync();
        await c.MkdirAsync("/a");
        await c.MkdirAsync("/b");
        await c.WriteTextAsync("/a/f", "hello");
        Assert.Equal("hello", File.ReadAllText(export.HostPath("a/f")));
        Assert.Equal("hello", await c.ReadTextAsync("/a/f"));

        await c.WithFidAsync("/a/f", async fid =>
        {
            await c.Client.LopenAsync(fid, LinuxOpenFlags.WriteOnly | LinuxOpenFlags.Append);
            return await c.Client.WriteAsync(fid, 0, " world"u8.ToArray());
        });
        await c.WithFidAsync("/a/f", async fid =>
        {
            await c.Client.LopenAsync(fid, ReadWrite);
            return await c.Client.WriteAsync(fid, 0, "J"u8.ToArray());
        });
        Assert.Equal("Jello world", File.ReadAllText(export.HostPath("a/f")));

        await c.RenameAsync("/a/f", "/a/g");
        Assert.Equal(["g"], await c.NamesAsync("/a"));
        await c.RenameAsync("/a/g", "/b/g");
        Assert.Empty(await c.NamesAsync("/a"));
        await c.WriteTextAsync("/b/h", "old");
        await c.RenameAsync("/b/g", "/b/h");
        Assert.Equal(["h"], await c.NamesAsync("/b"));
        Assert.Equal("Jello world", File.ReadAllText(export.HostPath("b/h")));

        await c.UnlinkAsync("/b/h");
        await c.UnlinkAsync("/b", directory: true);
        var a = await c.WalkAsync("/a");
        await c.Client.RemoveAsync(a);
        Assert.Empty(Directory.EnumerateFileSystemEntries(export.Root));
    }

    [Fact]
    public async Task Large_and_sparse_files_keep_their_bytes()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync(msize: 256 * 1024 + 24);
        var data = new byte[1 << 20];
        Random.Shared.NextBytes(data);
        await c.WriteAsync("/big", data);
        Assert.Equal(data, await c.ReadAsync("/big"));
        Assert.Equal(data, File.ReadAllBytes(export.HostPath("big")));

        const long FiveGiB = 5L << 30;
        var dir = await c.WalkAsync("");
        await c.Client.LcreateAsync(dir, "sparse", ReadWrite, 0x1A4);
        await c.Client.WriteAllAsync(dir, FiveGiB, "tail"u8.ToArray());
        var attributes = await c.Client.GetattrAsync(dir);
        Assert.Equal((ulong)FiveGiB + 4, attributes.Size);
        var buffer = new byte[16];
        Assert.Equal(4, await c.Client.ReadAsync(dir, FiveGiB, buffer));
        Assert.Equal("tail", Encoding.ASCII.GetString(buffer, 0, 4));
        Assert.Equal(16, await c.Client.ReadAsync(dir, 1L << 30, buffer));
        Assert.All(buffer, b => Assert.Equal(0, b));
        await c.Client.ClunkAsync(dir);
        var host = LocalExport.HostStat(export.HostPath("sparse"));
        Assert.Equal((ulong)FiveGiB + 4, host.Size);
        Assert.True(host.Blocks * 512 < 1 << 20, $"sparse file uses {host.Blocks * 512} bytes on disk");
    }

    [Fact]
    public async Task Symlinks_and_hard_links_are_made_in_the_directory()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        await c.MkdirAsync("/d");
        await c.WriteTextAsync("/d/f", "data");
        var d = await c.WalkAsync("/d");
        var link = await c.Client.SymlinkAsync(d, "l", "f");
        Assert.Equal(QidType.Symlink, link.Type & QidType.Symlink);
        Assert.Equal("f", new FileInfo(export.HostPath("d/l")).LinkTarget);
        Assert.Equal("f", await c.WithFidAsync("/d/l", fid => c.Client.ReadlinkAsync(fid)));
        Assert.Equal(UnixMode.Symlink, (await c.WithFidAsync("/d/l", fid => c.Client.GetattrAsync(fid))).Mode & UnixMode.TypeMask);

        var f = await c.WalkAsync("/d/f");
        await c.Client.LinkAsync(d, f, "hard");
        var original = await c.Client.GetattrAsync(f);
        var hard = await c.WithFidAsync("/d/hard", fid => c.Client.GetattrAsync(fid));
        Assert.Equal(2ul, original.Nlink);
        Assert.Equal(original.Qid.Path, hard.Qid.Path);
        Assert.Equal("data", await c.ReadTextAsync("/d/hard"));
        Assert.Equal(["f", "hard", "l"], (await c.NamesAsync("/d")).Order());
    }

    [Fact]
    public async Task Fids_in_a_renamed_directory_follow_it()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        await c.MkdirAsync("/a");
        await c.MkdirAsync("/a/sub");
        await c.WriteTextAsync("/a/sub/f", "data");
        var a = await c.WalkAsync("/a");
        var f = await c.WalkAsync("/a/sub/f");
        await c.RenameAsync("/a", "/b");
        Assert.False(Directory.Exists(export.HostPath("a")));

        Assert.Equal("data", await c.ReadTextAsync("/b/sub/f"));
        Assert.Equal(4ul, (await c.Client.GetattrAsync(f)).Size);
        await c.Client.LopenAsync(f, LinuxOpenFlags.ReadOnly);
        Assert.Equal("data", Encoding.UTF8.GetString(await c.Client.ReadAllAsync(f)));
        var again = c.Client.NewFid();
        await c.Client.WalkAsync(a, again, ["sub", "f"]);
        await c.Client.MkdirAsync(a, "made-after", 0x1ED);
        Assert.True(Directory.Exists(export.HostPath("b/made-after")));
        await c.Client.RenameAsync(again, a, "g");
        Assert.Equal("data", File.ReadAllText(export.HostPath("b/g")));
        Assert.Equal(["g", "made-after", "sub"], (await c.NamesAsync("/b")).Order());
    }

    [Fact]
    public async Task Setattr_changes_mode_owner_times_and_size()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        await c.WriteTextAsync("/f", "0123456789");
        var f = await c.WalkAsync("/f");
        var before = LocalExport.HostStat(export.HostPath("f"));
        const uint All = SetattrMask.Mode | SetattrMask.Uid | SetattrMask.Gid | SetattrMask.Size | SetattrMask.Atime |
            SetattrMask.Mtime | SetattrMask.AtimeSet | SetattrMask.MtimeSet;
        await c.Client.SetattrAsync(new Tsetattr(0, f, All, 0x1C0 /* 0700 */, before.Uid, before.Gid, 4,
            1_500_000_000, 250_000_000, 1_600_000_000, 123_456_700));
        var after = await c.Client.GetattrAsync(f);
        Assert.Equal(UnixMode.Regular | 0x1C0, after.Mode);
        Assert.Equal((before.Uid, before.Gid), (after.Uid, after.Gid));
        Assert.Equal(4ul, after.Size);
        Assert.Equal((1_500_000_000ul, 250_000_000ul), (after.AtimeSec, after.AtimeNsec));
        Assert.Equal((1_600_000_000ul, 123_456_700ul), (after.MtimeSec, after.MtimeNsec));
        var host = LocalExport.HostStat(export.HostPath("f"));
        Assert.Equal(0x1C0, host.Mode & 0xFFF);
        Assert.Equal("0123", File.ReadAllText(export.HostPath("f")));
        Assert.Equal(1_600_000_000, host.ModifyTime.Seconds);

        var root = await c.WalkAsync("");
        await c.Client.SetattrAsync(new Tsetattr(0, root, SetattrMask.Mode, 0x1E8 /* 0750 */, 0, 0, 0, 0, 0, 0, 0));
        Assert.Equal(0x1E8, LocalExport.HostStat(export.Root).Mode & 0xFFF);
    }

    [Fact]
    public async Task Statfs_reports_the_host_file_system()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        var statfs = await c.WithFidAsync("", fid => c.Client.StatfsAsync(fid));
        var host = (await RunAsync("stat", "-f", "-c", "%t %S %b %c %f", export.Root)).Split(' ');
        Assert.Equal(Convert.ToUInt32(host[0], 16), statfs.FsType);
        Assert.Equal(uint.Parse(host[1]), statfs.BlockSize);
        Assert.Equal(ulong.Parse(host[2]), statfs.Blocks);
        Assert.Equal(ulong.Parse(host[3]), statfs.Files);
        Assert.InRange((double)statfs.BlocksFree, ulong.Parse(host[4]) * 0.99, ulong.Parse(host[4]) * 1.01);
    }

    [Fact]
    public async Task An_unlinked_open_file_stays_readable_and_writable_and_fsync_works()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        var fid = await c.WalkAsync("");
        await c.Client.LcreateAsync(fid, "u", ReadWrite, 0x1A4);
        await c.Client.WriteAllAsync(fid, 0, "before"u8.ToArray());
        await c.Client.FsyncAsync(fid);
        await c.UnlinkAsync("/u");
        Assert.False(File.Exists(export.HostPath("u")));
        await c.Client.WriteAllAsync(fid, 6, " after"u8.ToArray());
        await c.Client.FsyncAsync(fid);
        Assert.Equal("before after", Encoding.UTF8.GetString(await c.Client.ReadAllAsync(fid)));
        Assert.Equal(12ul, (await c.Client.GetattrAsync(fid)).Size);
        await c.Client.SetattrAsync(new Tsetattr(0, fid, SetattrMask.Size, 0, 0, 0, 6, 0, 0, 0, 0));
        Assert.Equal("before", Encoding.UTF8.GetString(await c.Client.ReadAllAsync(fid)));
        await c.Client.ClunkAsync(fid);
        Assert.Empty(Directory.EnumerateFileSystemEntries(export.Root));
    }

    [Fact]
    public async Task Qids_are_unique_and_stable_across_walks_and_listings()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        await c.MkdirAsync("/d");
        for (int i = 0; i < 20; i++) await c.WriteTextAsync($"/d/f{i}", "x");
        var listed = (await c.ReaddirAsync("/d")).ToDictionary(e => e.Name, e => e.Qid.Path);
        Assert.Equal(20, listed.Values.Distinct().Count());
        foreach (var (name, path) in listed)
        {
            var first = await c.QidAsync($"/d/{name}");
            var second = await c.QidAsync($"/d/{name}");
            Assert.Equal(first, second);
            Assert.Equal(path, first.Path);
            Assert.Equal(LocalExport.HostStat(export.HostPath($"d/{name}")).Inode, first.Path);
        }
        var dir = await c.QidAsync("/d");
        Assert.True(dir.IsDirectory);
        Assert.DoesNotContain(dir.Path, listed.Values);
        Assert.Equal(await c.QidAsync("/"), await c.QidAsync("/d/.."));
    }

    [Fact]
    public async Task Os_errors_come_back_as_their_errno()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        await c.MkdirAsync("/d");
        await c.WriteTextAsync("/d/f", "x");
        await c.MkdirAsync("/e");
        var root = await c.WalkAsync("");

        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => c.Client.WalkAsync(root, c.Client.NewFid(), ["missing"])));
        Assert.Equal(Errno.EEXIST, await NinePClient.ErrnoOf(() => c.MkdirAsync("/d")));
        Assert.Equal(Errno.EEXIST, await NinePClient.ErrnoOf(() => c.WriteTextAsync("/d/f", "y")));
        Assert.Equal(Errno.ENOTEMPTY, await NinePClient.ErrnoOf(() => c.UnlinkAsync("/d", directory: true)));
        Assert.Equal(Errno.ENOTDIR, await NinePClient.ErrnoOf(() => c.RenameAsync("/e", "/d/f")));
        Assert.Equal(Errno.EISDIR, await NinePClient.ErrnoOf(() => c.RenameAsync("/d/f", "/e")));
        Assert.Equal(Errno.ENOENT, await NinePClient.ErrnoOf(() => c.RenameAsync("/d/missing", "/e/x")));
        Assert.Equal(Errno.EINVAL, await NinePClient.ErrnoOf(() => c.RenameAsync("/d", "/d/inside")));
        Assert.Equal("x", File.ReadAllText(export.HostPath("d/f")));
    }

    [Fact]
    public async Task Fifos_and_devices_are_made_with_mknod()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync();
        var root = await c.WalkAsync("");
        await c.Client.MknodAsync(root, "pipe", UnixMode.Fifo | 0x1A4);
        var host = LocalExport.HostStat(export.HostPath("pipe"));
        Assert.Equal(UnixMode.Fifo | 0x1A4, (uint)host.Mode);
        Assert.Equal(UnixMode.Fifo | 0x1A4, (await c.WithFidAsync("/pipe", fid => c.Client.GetattrAsync(fid))).Mode);
        if (Environment.UserName != "root") return;
        await c.Client.MknodAsync(root, "null", UnixMode.CharDevice | 0x1B6, 1, 3);
        var device = LocalExport.HostStat(export.HostPath("null"));
        Assert.Equal((UnixMode.CharDevice | 0x1B6, 1u, 3u), ((uint)device.Mode, device.RdevMajor, device.RdevMinor));
        Assert.Equal(DeviceNumber.Make(1, 3), (await c.WithFidAsync("/null", fid => c.Client.GetattrAsync(fid))).Rdev);
    }

    [Fact]
    public async Task A_read_only_export_refuses_every_change_with_EROFS()
    {
        await using var export = LocalExport.Start(new FileSystem.Local.LocalOptions { ReadOnly = true }, prepareRoot: root =>
        {
            Directory.CreateDirectory(Path.Combine(root, "d"));
            File.WriteAllText(Path.Combine(root, "d", "f"), "kept");
        });
        await using var c = await export.ConnectAsync();
        Assert.Equal("kept", await c.ReadTextAsync("/d/f"));
        Assert.Equal(["f"], await c.NamesAsync("/d"));
        var d = await c.WalkAsync("/d");
        var f = await c.WalkAsync("/d/f");
        var mode = LocalExport.HostStat(export.HostPath("d/f")).Mode;
        Func<Task>[] changes =
        [
            () => c.WithFidAsync("/d/f", fid => c.Client.LopenAsync(fid, LinuxOpenFlags.WriteOnly)),
            () => c.WithFidAsync("/d/f", fid => c.Client.LopenAsync(fid, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Truncate)),
            () => c.WriteTextAsync("/d/new", "x"),
            () => c.MkdirAsync("/d/sub"),
            () => c.UnlinkAsync("/d/f"),
            () => c.RenameAsync("/d/f", "/d/g"),
            () => c.Client.SymlinkAsync(d, "l", "f"),
            () => c.Client.LinkAsync(d, f, "h"),
            () => c.Client.MknodAsync(d, "p", UnixMode.Fifo | 0x1A4),
            () => c.Client.SetattrAsync(new Tsetattr(0, f, SetattrMask.Mode, 0x1FF, 0, 0, 0, 0, 0, 0, 0)),
            () => c.Client.SetattrAsync(new Tsetattr(0, f, SetattrMask.Size, 0, 0, 0, 0, 0, 0, 0, 0)),
        ];
        foreach (var change in changes) Assert.Equal(Errno.EROFS, await NinePClient.ErrnoOf(change));
        Assert.Equal(["f"], Directory.EnumerateFileSystemEntries(export.HostPath("d")).Select(Path.GetFileName));
        Assert.Equal("kept", File.ReadAllText(export.HostPath("d/f")));
        Assert.Equal(mode, LocalExport.HostStat(export.HostPath("d/f")).Mode);
    }

    [Fact]
    public async Task A_file_system_mounted_below_the_root_gets_its_own_qid_range()
    {
        if (Environment.UserName != "root") Assert.Skip("mounting a tmpfs needs root");
        await using var export = LocalExport.Start();
        string mount = export.HostPath("mnt");
        Directory.CreateDirectory(mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=1m", "cheshire-test", mount);
        try
        {
            await using var c = await export.ConnectAsync();
            await c.WriteTextAsync("/mnt/f", "x");
            await c.WriteTextAsync("/g", "y");
            var inner = await c.QidAsync("/mnt/f");
            var mountPoint = await c.QidAsync("/mnt");
            var outer = await c.QidAsync("/g");
            Assert.Equal(0ul, outer.Path >> 40);
            Assert.Equal(LocalExport.HostStat(export.HostPath("g")).Inode, outer.Path);
            Assert.NotEqual(0ul, inner.Path >> 40);
            Assert.Equal(0ul, inner.Path >> 48);
            Assert.Equal(mountPoint.Path >> 40, inner.Path >> 40);
            Assert.Equal(LocalExport.HostStat(Path.Combine(mount, "f")).Inode, inner.Path & ((1ul << 40) - 1));
            Assert.Equal(inner, await c.QidAsync("/mnt/f"));
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
        }
    }

    [Fact]
    public async Task Run_as_root_the_export_gives_new_nodes_to_the_attaching_user()
    {
        if (Environment.UserName != "root") Assert.Skip("giving files away needs root");
        await using var export = LocalExport.Start();
        await using var client = await export.Server.ConnectAsync();
        var root = client.NewFid();
        await client.AttachAsync(root, "nobody", "", 65534);
        var f = client.NewFid();
        await client.WalkAsync(root, f, []);
        await client.LcreateAsync(f, "f", LinuxOpenFlags.WriteOnly, 0x9ED /* 04755 */, gid: 65533);
        await client.WriteAllAsync(f, 0, "x"u8.ToArray());
        await client.MkdirAsync(root, "d", 0x3FF /* 01777 */, gid: 65533);
        await client.SymlinkAsync(root, "l", "f", gid: 65533);
        await client.MknodAsync(root, "p", UnixMode.Fifo | 0x180, gid: 65533);
        foreach (var (name, mode) in new[] { ("f", UnixMode.Regular | 0x9ED), ("d", UnixMode.Directory | 0x3FF), ("p", UnixMode.Fifo | 0x180) })
        {
            var stat = LocalExport.HostStat(export.HostPath(name));
            Assert.Equal((65534u, 65533u, mode), (stat.Uid, stat.Gid, (uint)stat.Mode));
        }
        var link = LocalExport.HostStat(export.HostPath("l"));
        Assert.Equal((65534u, 65533u), (link.Uid, link.Gid));
    }

    [Fact]
    public async Task Wstat_changes_the_group_by_name()
    {
        await using var export = LocalExport.Start();
        await using var c = await export.ConnectAsync(DialectNames.Styx2000);
        var root = await c.WalkAsync("");
        await c.Client.CreateAsync(root, "f", 0x1A4, StyxOpenMode.Write);
        var group = await RunAsync("id", "-gn");
        await c.Client.WstatAsync(root, StatEntry.DontTouch with { Gid = group });
        Assert.Equal(group, (await c.Client.StatAsync(root)).Gid);
        Assert.Equal(Errno.EINVAL, await NinePClient.ErrnoOf(() => c.Client.WstatAsync(root, StatEntry.DontTouch with { Gid = "no-such-group-here" })));
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        return output.Trim();
    }
}
