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
}
