using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote;

/// <summary>
/// A 9P2000.u client of a namespace whose tree is reached over 9P2000.L (styx-root in front of styx-provider):
/// symlink targets and hard links, which .u carries in Tcreate and stat, must survive the translation.
/// </summary>
public sealed class UnixOverLinuxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SymlinkTargetsAndHardLinksWorkForUnixClientsOfALinuxTree()
    {
        await using var inner = new LoopbackServer(new RamFileSystem());
        await using var remote = await RemoteFileSystem.ConnectAsync("127.0.0.1", inner.Port, uname: "root", options: new RemoteOptions(), cancellationToken: Ct);
        var ns = new Namespace();
        ns.Mount("/r", remote);
        await using var outer = new LoopbackServer(ns);
        await using var fs = await StyxFs.MountAsync(await NewStream(outer), "root", version: DialectNames.Unix, nUname: 0, ct: Ct);
        var c = fs.Client;
        Assert.Equal(Dialect.Unix, c.Dialect);

        var dir = await fs.WalkAsync("r", Ct);
        await c.CreateAsync(dir, "link", StyxMode.Symlink | 0x1FF, StyxOpenMode.Read, "target/of/link", Ct);
        await c.ClunkAsync(dir, Ct);
        var link = await fs.WalkAsync("r/link", Ct);
        Assert.Equal("target/of/link", (await c.StatAsync(link, Ct)).Extension);
        await c.ClunkAsync(link, Ct);
        var listed = Assert.Single(StatEntry.ReadDirectory(await ReadDirectoryAsync(fs, "r"), Dialect.Unix), e => e.Name == "link");
        Assert.Equal("target/of/link", listed.Extension);

        dir = await fs.WalkAsync("r", Ct);
        await c.CreateAsync(dir, "file", 0x1A4, StyxOpenMode.Write, ct: Ct);
        await c.WriteAllAsync(dir, 0, "shared"u8.ToArray(), Ct);
        await c.ClunkAsync(dir, Ct);
        var file = await fs.WalkAsync("r/file", Ct);
        dir = await fs.WalkAsync("r", Ct);
        await c.CreateAsync(dir, "hard", StyxMode.Link, StyxOpenMode.Read, $"{file}\n", Ct);
        await c.ClunkAsync(dir, Ct);

        Assert.Equal("shared", await fs.ReadTextAsync("r/hard", Ct));
        var hard = await fs.WalkAsync("r/hard", Ct);
        Assert.Equal((await c.StatAsync(file, Ct)).Qid.Path, (await c.StatAsync(hard, Ct)).Qid.Path);
        await using var linux = await StyxFs.MountAsync(await NewStream(inner), "root", nUname: 0, ct: Ct);
        var viaLinux = await linux.WalkAsync("hard", Ct);
        Assert.Equal(2ul, (await linux.Client.GetattrAsync(viaLinux, ct: Ct)).Nlink);
    }

    private static async Task<Stream> NewStream(LoopbackServer server) => new System.Net.Sockets.NetworkStream(await server.ConnectSocketAsync(), ownsSocket: true);

    private static async Task<byte[]> ReadDirectoryAsync(StyxFs fs, string path)
    {
        var fid = await fs.WalkAsync(path, Ct);
        await fs.Client.OpenAsync(fid, StyxOpenMode.Read, Ct);
        var data = await fs.Client.ReadAllAsync(fid, Ct);
        await fs.Client.ClunkAsync(fid, Ct);
        return data;
    }
}
