using System.Security.Cryptography;
using System.Text;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxRoot.Tests;

/// <summary>styx-root's namespace as a 9P client sees it, over its TCP listener.</summary>
public sealed class NinePServingTests(StyxRootFixture fixture) : IClassFixture<StyxRootFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DialectNames.Styx2000)]
    [InlineData(DialectNames.Unix)]
    [InlineData(DialectNames.Linux)]
    public async Task CheshireNodeHoldsTheNodeId(string dialect)
    {
        using var identity = NodeIdentityStore.Load(Path.Combine(fixture.Module.DataDirectory, NodeIdentityStore.KeyFileName));
        await using var session = await Connect(dialect);

        var text = Encoding.UTF8.GetString(await session.ReadFileAsync("cheshire/node"));

        Assert.Equal(identity.NodeIdHex + "\n", text);
        Assert.Equal(dialect, DialectNames.NameOf(session.Client.Dialect));
    }

    [Fact]
    public async Task CheshireUserHoldsTheUidOfTheUserKey()
    {
        await using var session = await Connect(DialectNames.Linux);

        var text = Encoding.UTF8.GetString(await session.ReadFileAsync("cheshire/user"));

        using var user = UserIdentityStore.Load(Path.Combine(fixture.Module.DataDirectory, UserIdentityStore.DefaultFileName));
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(user.PublicKey)) + "\n", text);
    }

    [Fact]
    public async Task TheRootListsTheControlTreeAndTmp()
    {
        await using var session = await Connect(DialectNames.Linux);
        var dir = session.Client.NewFid();
        await session.Client.WalkAsync(session.Root, dir, [], Ct);
        await session.Client.LopenAsync(dir, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Directory, Ct);

        var names = (await session.Client.ReaddirAsync(dir, 0, ct: Ct)).Select(d => d.Name).ToList();

        Assert.Contains("cheshire", names);
        Assert.Contains("tmp", names);
        var mounts = Encoding.UTF8.GetString(await session.ReadFileAsync("cheshire/mounts"));
        Assert.Contains(" /tmp\n", mounts);
    }

    [Theory]
    [InlineData(DialectNames.Styx2000, 8192u + 24)]
    [InlineData(DialectNames.Linux, 512u * 1024 + 24)]
    public async Task TmpKeepsWhatIsWritten(string dialect, uint msize)
    {
        await using var session = await Connect(dialect, msize);
        var data = RandomNumberGenerator.GetBytes(1 << 20);
        var name = "file-" + Guid.NewGuid().ToString("N");

        var file = session.Client.NewFid();
        await session.Client.WalkAsync(session.Root, file, ["tmp"], Ct);
        if (session.Client.Dialect == Dialect.Linux)
            await session.Client.LcreateAsync(file, name, LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        else
            await session.Client.CreateAsync(file, name, 0x1A4, StyxOpenMode.Write, ct: Ct);
        await session.Client.WriteAllAsync(file, 0, data, Ct);
        await session.Client.ClunkAsync(file, Ct);

        await using var other = await Connect(DialectNames.Linux);
        Assert.Equal(data, await other.ReadFileAsync($"tmp/{name}"));
    }

    [Fact]
    public async Task GarbageOnTheWireClosesThatConnectionOnly()
    {
        using (var tcp = await fixture.Module.ConnectStyxAsync(Ct))
        {
            var stream = tcp.GetStream();
            await stream.WriteAsync(new byte[] { 0xff, 0xff, 0xff, 0x7f, 100, 0, 0 }, Ct); // size far past msize
            var buffer = new byte[64];
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            Assert.Equal(0, await stream.ReadAsync(buffer, timeout.Token)); // the server hung up
        }

        await using var session = await Connect(DialectNames.Linux);
        Assert.NotEmpty(await session.ReadFileAsync("cheshire/version"));
    }

    private async Task<NinePSession> Connect(string dialect, uint msize = 8192 + 24)
    {
        var tcp = await fixture.Module.ConnectStyxAsync(Ct);
        var client = await StyxClient.ConnectAsync(tcp.GetStream(), dialect, msize, Ct);
        var root = client.NewFid();
        await client.AttachAsync(root, "tester", "", ct: Ct);
        return new NinePSession(tcp, client, root);
    }
}
