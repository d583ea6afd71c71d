using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote;

/// <summary>
/// A fid names a file, not a path: after a rename through a tree reached over 9P (styx-root in front of
/// styx-provider), the client's fids on the renamed file keep working. 9pfuse keeps the fid it looked a file up
/// with, so `mv a b; cat b` failed with ENOENT while styx-root walked the old name.
/// </summary>
public sealed class RemoteRenameTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, DialectNames.Styx2000)]
    [InlineData(DialectNames.Linux, DialectNames.Styx2000)]
    [InlineData(DialectNames.Styx2000, DialectNames.Styx2000)]
    [InlineData(DialectNames.Linux, DialectNames.Unix)]
    public async Task AFidOnARenamedFileStillReachesIt(string? innerDialect, string outerDialect)
    {
        await using var inner = new LoopbackServer(new RamFileSystem());
        await using var remote = innerDialect is null ? null : await RemoteFileSystem.ConnectAsync("127.0.0.1", inner.Port,
            uname: "root", options: new RemoteOptions { Version = innerDialect }, cancellationToken: Ct);
        var ns = new Namespace();
        ns.Mount("/r", remote ?? (IFileSystem)new RamFileSystem()); // null: the tree in this process, behind the namespace only
        await using var outer = new LoopbackServer(ns);
        var stream = new System.Net.Sockets.NetworkStream(await outer.ConnectSocketAsync(), ownsSocket: true);
        await using var fs = await StyxFs.MountAsync(stream, "root", version: outerDialect, nUname: 0, ct: Ct);
        var c = fs.Client;

        var dir = await fs.WalkAsync("r", Ct);
        await c.CreateAsync(dir, "a", 0x1A4, StyxOpenMode.Write, ct: Ct);
        await c.WriteAllAsync(dir, 0, "content"u8.ToArray(), Ct);
        await c.ClunkAsync(dir, Ct);

        var file = await fs.WalkAsync("r/a", Ct);
        await c.WstatAsync(file, StatEntry.DontTouch with { Name = "b" }, Ct);
        Assert.Equal("b", (await c.StatAsync(file, Ct)).Name);
        await c.OpenAsync(file, StyxOpenMode.Read, Ct);
        Assert.Equal("content"u8.ToArray(), await c.ReadAllAsync(file, Ct));
        await c.ClunkAsync(file, Ct);
        Assert.Equal(["b"], await fs.ListAsync("r", Ct));
    }

    /// <summary>
    /// 9pfuse's rename: a fresh fid walked to the file is renamed and clunked, while the fid the file was looked up
    /// with stays in use. Then a new file takes the old name: the kept fid must still reach the renamed file.
    /// </summary>
    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Styx2000)]
    public async Task AFidFollowsItsFileRenamedThroughAnotherFid(string innerDialect)
    {
        await using var inner = new LoopbackServer(new RamFileSystem());
        await using var remote = await RemoteFileSystem.ConnectAsync("127.0.0.1", inner.Port, uname: "root",
            options: new RemoteOptions { Version = innerDialect }, cancellationToken: Ct);
        var ns = new Namespace();
        ns.Mount("/r", remote);
        await using var outer = new LoopbackServer(ns);
        var stream = new System.Net.Sockets.NetworkStream(await outer.ConnectSocketAsync(), ownsSocket: true);
        await using var fs = await StyxFs.MountAsync(stream, "root", version: DialectNames.Styx2000, ct: Ct);
        var c = fs.Client;
        await CreateAsync(fs, "r", "d", null);
        await CreateAsync(fs, "r/d", "a", "renamed");

        var held = await fs.WalkAsync("r/d/a", Ct);
        var heldToo = c.NewFid();
        await c.WalkAsync(held, heldToo, [], Ct); // a clone: the same node in the server, used after the hold of a lookup
        var directoryHeld = await fs.WalkAsync("r/d", Ct);
        var renamer = await fs.WalkAsync("r/d/a", Ct);
        await c.WstatAsync(renamer, StatEntry.DontTouch with { Name = "b" }, Ct);
        await c.ClunkAsync(renamer, Ct);
        var directoryRenamer = await fs.WalkAsync("r/d", Ct);
        await c.WstatAsync(directoryRenamer, StatEntry.DontTouch with { Name = "e" }, Ct);
        await c.ClunkAsync(directoryRenamer, Ct);
        await CreateAsync(fs, "r", "d", null);
        await CreateAsync(fs, "r/d", "a", "a new file at the old name");

        foreach (var fid in new[] { held, heldToo })
        {
            await c.OpenAsync(fid, StyxOpenMode.Read, Ct);
            Assert.Equal("renamed", System.Text.Encoding.UTF8.GetString(await c.ReadAllAsync(fid, Ct)));
            await c.ClunkAsync(fid, Ct);
        }
        var inRenamedDirectory = c.NewFid();
        await c.WalkAsync(directoryHeld, inRenamedDirectory, ["b"], Ct);
        await c.OpenAsync(inRenamedDirectory, StyxOpenMode.Read, Ct);
        Assert.Equal("renamed", System.Text.Encoding.UTF8.GetString(await c.ReadAllAsync(inRenamedDirectory, Ct)));
        Assert.Equal("a new file at the old name", await fs.ReadTextAsync("r/d/a", Ct));
    }

    /// <summary>Creates <paramref name="name"/> in <paramref name="directory"/>: a file holding <paramref name="text"/>, or a directory when null.</summary>
    private static async Task CreateAsync(StyxFs fs, string directory, string name, string? text)
    {
        var fid = await fs.WalkAsync(directory, Ct);
        if (text is null)
        {
            await fs.Client.CreateAsync(fid, name, StyxMode.Directory | 0x1ED, StyxOpenMode.Read, ct: Ct);
        }
        else
        {
            await fs.Client.CreateAsync(fid, name, 0x1A4, StyxOpenMode.Write, ct: Ct);
            await fs.Client.WriteAllAsync(fid, 0, System.Text.Encoding.UTF8.GetBytes(text), Ct);
        }
        await fs.Client.ClunkAsync(fid, Ct);
    }
}
