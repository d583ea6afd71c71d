using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Tests.Namespaces;

namespace Cheshire.Styx.Tests.Local;

/// <summary>
/// Nothing outside the export is read, created or changed: not through "..", not through symlinks pointing out, not
/// through a directory swapped for such a symlink after it was walked. Each test runs with openat2 and with the
/// per-component fallback.
/// </summary>
public sealed class LocalEscapeTests
{
    private static async Task<LocalExport> StartAsync(bool useOpenat2)
    {
        var export = LocalExport.Start(useOpenat2: useOpenat2);
        Assert.Equal(useOpenat2, export.FileSystem.Root.UsesOpenat2);
        await File.WriteAllTextAsync(Path.Combine(export.Outside, "secret"), "SECRET");
        Directory.CreateDirectory(Path.Combine(export.Outside, "dir"));
        await File.WriteAllTextAsync(export.HostPath("f"), "inside");
        return export;
    }

    /// <summary>Walks names from the root; null if the walk stopped short (the server refused a step).</summary>
    private static async Task<uint?> TryWalkAsync(NinePClient c, params string[] names)
    {
        var fid = c.Client.NewFid();
        try
        {
            return (await c.Client.WalkAsync(c.Root, fid, names)).Count == names.Length ? fid : null;
        }
        catch (StyxErrorException)
        {
            return null;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Dot_dot_at_the_root_stays_at_the_root(bool useOpenat2)
    {
        await using var export = await StartAsync(useOpenat2);
        await using var c = await export.ConnectAsync();
        var root = await c.QidAsync("");
        var up = await TryWalkAsync(c, "..", "..");
        Assert.NotNull(up);
        Assert.Equal(root, (await c.Client.GetattrAsync(up.Value)).Qid);
        Assert.Null(await TryWalkAsync(c, "..", "outside", "secret"));
        Assert.Null(await TryWalkAsync(c, "..", Path.GetFileName(Path.GetDirectoryName(export.Root))!, "outside"));
        Assert.Equal(["f"], await c.NamesAsync("/.."));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Symlinks_pointing_out_are_never_followed(bool useOpenat2)
    {
        await using var export = await StartAsync(useOpenat2);
        string secret = Path.Combine(export.Outside, "secret");
        File.CreateSymbolicLink(export.HostPath("absdir"), export.Outside);
        File.CreateSymbolicLink(export.HostPath("reldir"), "../outside");
        File.CreateSymbolicLink(export.HostPath("absfile"), secret);
        File.CreateSymbolicLink(export.HostPath("relfile"), "../outside/secret");
        string before = export.OutsideSnapshot();
        await using var c = await export.ConnectAsync();

        foreach (var dir in new[] { "absdir", "reldir" })
        {
            Assert.Null(await TryWalkAsync(c, dir, "secret"));
            Assert.Null(await TryWalkAsync(c, dir, "dir"));
            var link = (await TryWalkAsync(c, dir))!.Value;
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LcreateAsync(link, "new", LinuxOpenFlags.WriteOnly, 0x1A4)));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.MkdirAsync(link, "new", 0x1ED)));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.SymlinkAsync(link, "new", "/etc/passwd")));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.RenameatAsync(c.Root, "f", link, "moved")));
            var f = (await TryWalkAsync(c, "f"))!.Value;
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.RenameAsync(f, link, "moved")));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LinkAsync(link, f, "linked")));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.ReaddirAsync(link, 0)));
        }

        foreach (var (file, target) in new[] { ("absfile", secret), ("relfile", "../outside/secret") })
        {
            var link = (await TryWalkAsync(c, file))!.Value;
            Assert.Equal(target, await c.Client.ReadlinkAsync(link));
            var attributes = await c.Client.GetattrAsync(link);
            Assert.Equal(UnixMode.Symlink, attributes.Mode & UnixMode.TypeMask);
            Assert.Equal((ulong)target.Length, attributes.Size);
            var reader = (await TryWalkAsync(c, file))!.Value;
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LopenAsync(reader, LinuxOpenFlags.ReadOnly)));
            var writer = (await TryWalkAsync(c, file))!.Value;
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LopenAsync(writer, LinuxOpenFlags.WriteOnly | LinuxOpenFlags.Truncate)));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() =>
                c.Client.SetattrAsync(new Tsetattr(0, link, SetattrMask.Mode, 0x1FF, 0, 0, 0, 0, 0, 0, 0))));
            Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() =>
                c.Client.SetattrAsync(new Tsetattr(0, link, SetattrMask.Size, 0, 0, 0, 0, 0, 0, 0, 0))));
            // Times and owner apply to the link itself.
            await c.Client.SetattrAsync(new Tsetattr(0, link, SetattrMask.Mtime | SetattrMask.MtimeSet | SetattrMask.Uid,
                0, LocalExport.HostStat(export.HostPath(file)).Uid, 0, 0, 0, 0, 1_000_000_000, 0));
            Assert.Equal(1_000_000_000, LocalExport.HostStat(export.HostPath(file)).ModifyTime.Seconds);
        }
        Assert.Equal(before, export.OutsideSnapshot());
        Assert.Equal("inside", File.ReadAllText(export.HostPath("f")));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_walked_directory_swapped_for_a_symlink_out_leads_nowhere(bool useOpenat2)
    {
        await using var export = await StartAsync(useOpenat2);
        await using var c = await export.ConnectAsync();
        await c.MkdirAsync("/d");
        await c.WriteTextAsync("/d/secret", "inside d");
        var d = (await TryWalkAsync(c, "d"))!.Value;
        var d2 = (await TryWalkAsync(c, "d"))!.Value;
        var d3 = (await TryWalkAsync(c, "d"))!.Value;
        var dFile = (await TryWalkAsync(c, "d", "secret"))!.Value;
        var f = (await TryWalkAsync(c, "f"))!.Value;
        Directory.Move(export.HostPath("d"), export.HostPath("d.real"));
        File.CreateSymbolicLink(export.HostPath("d"), export.Outside);
        string before = export.OutsideSnapshot();

        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.WalkAsync(d, c.Client.NewFid(), ["secret"])));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LcreateAsync(d, "new", LinuxOpenFlags.WriteOnly, 0x1A4)));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.MkdirAsync(d, "new", 0x1ED)));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.SymlinkAsync(d, "new", "x")));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.MknodAsync(d, "new", UnixMode.Fifo | 0x1A4)));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.RenameatAsync(c.Root, "f", d, "moved")));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.RenameAsync(f, d, "moved")));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LinkAsync(d, f, "linked")));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.UnlinkatAsync(d, "secret")));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.RenameatAsync(d, "secret", c.Root, "stolen")));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LinkAsync(c.Root, dFile, "stolen")));
        await c.Client.LopenAsync(d2, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Directory);
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.ReaddirAsync(d2, 0)));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.LopenAsync(dFile, LinuxOpenFlags.ReadWrite)));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() =>
            c.Client.SetattrAsync(new Tsetattr(0, dFile, SetattrMask.Mode | SetattrMask.Size, 0x1FF, 0, 0, 0, 0, 0, 0, 0))));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() =>
            c.Client.SetattrAsync(new Tsetattr(0, dFile, SetattrMask.Mtime | SetattrMask.MtimeSet, 0, 0, 0, 0, 0, 0, 1, 0))));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.GetattrAsync(dFile)));
        Assert.NotEqual(Errno.None, await NinePClient.ErrnoOf(() => c.Client.StatfsAsync(dFile)));
        Assert.Equal(before, export.OutsideSnapshot());
        Assert.Equal("inside d", File.ReadAllText(export.HostPath("d.real/secret")));
        Assert.Equal(["secret"], Directory.EnumerateFileSystemEntries(export.HostPath("d.real")).Select(Path.GetFileName));
        Assert.Equal("inside", File.ReadAllText(export.HostPath("f")));

        // Removing "d" removes the symlink now named so, never what it points to.
        await c.Client.RemoveAsync(d3);
        Assert.False(Path.Exists(export.HostPath("d")));
        Assert.Equal(before, export.OutsideSnapshot());
    }
}
