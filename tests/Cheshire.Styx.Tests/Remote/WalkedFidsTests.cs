using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;
using Cheshire.Testing;

namespace Cheshire.Styx.Tests.Remote;

/// <summary>
/// A tree reached over 9P keeps the fid a lookup walked for a moment: the open that follows the walk uses it instead of
/// walking again (one round trip less per open through styx-root), and fids nothing used are clunked, not leaked.
/// The remote server's fid count shows what the relay holds there.
/// </summary>
public sealed class WalkedFidsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = WalkedFids.HoldTime * 10;

    [Fact]
    public async Task AnOpenAfterAWalkUsesTheFidTheWalkMade()
    {
        await using var setup = await RelaySetup.StartAsync(files: 1);
        var (fs, inner) = (setup.Fs, setup.Inner);
        int attached = inner.FidCount;

        var file = await fs.WalkAsync("r/f0", Ct);
        Assert.Equal(attached + 1, inner.FidCount);
        await fs.Client.LopenAsync(file, LinuxOpenFlags.ReadOnly, Ct);
        Assert.Equal(attached + 1, inner.FidCount); // the walked fid was opened: no second walk
        var buffer = new byte[64];
        Assert.Equal("file 0", System.Text.Encoding.UTF8.GetString(buffer, 0, await fs.Client.ReadAsync(file, 0, buffer, Ct)));
        await fs.Client.ClunkAsync(file, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(inner.FidCount == attached), Bound, "the open file's fid is clunked", Ct);
    }

    [Fact]
    public async Task FidsOfWalksNothingUsedAreClunkedAfterTheHold()
    {
        await using var setup = await RelaySetup.StartAsync(files: 50);
        var (fs, inner) = (setup.Fs, setup.Inner);
        int attached = inner.FidCount;

        for (var i = 0; i < 50; i++) await fs.Client.ClunkAsync(await fs.WalkAsync($"r/f{i}", Ct), Ct);
        Assert.InRange(inner.FidCount, attached + 1, attached + 50);
        await Eventually.TrueAsync(() => Task.FromResult(inner.FidCount == attached), Bound, "the kept fids are clunked", Ct);
        Assert.Equal("file 7", await fs.ReadTextAsync("r/f7", Ct)); // and the tree still works, by fresh walks
    }

    [Fact]
    public async Task NoMoreThanTheCapacityIsKept()
    {
        int files = WalkedFids.Capacity + 200;
        await using var setup = await RelaySetup.StartAsync(files);
        var (fs, inner) = (setup.Fs, setup.Inner);
        int attached = inner.FidCount;

        int most = 0;
        for (var i = 0; i < files; i++)
        {
            await fs.Client.ClunkAsync(await fs.WalkAsync($"r/f{i}", Ct), Ct);
            most = Math.Max(most, inner.FidCount);
        }
        // Beyond the capacity a lookup clunks its fid at once (without waiting): a few such clunks may be under way.
        Assert.InRange(most, attached + 1, attached + WalkedFids.Capacity + 8);
        await Eventually.TrueAsync(() => Task.FromResult(inner.FidCount == attached), Bound, "the kept fids are clunked", Ct);
    }

    [Fact]
    public async Task ARemoveOrRenameAfterTheWalkActsOnTheFileWalkedTo()
    {
        await using var setup = await RelaySetup.StartAsync(files: 3);
        var fs = setup.Fs;
        var renamed = await fs.WalkAsync("r/f0", Ct);
        var target = await fs.WalkAsync("r", Ct);
        await fs.Client.RenameatAsync(target, "f0", target, "g0", Ct);
        var removed = await fs.WalkAsync("r/f1", Ct);
        await fs.Client.RemoveAsync(removed, Ct);
        Assert.Equal(["f2", "g0"], (await fs.ListAsync("r", Ct)).Order(StringComparer.Ordinal));
        await fs.Client.LopenAsync(renamed, LinuxOpenFlags.ReadOnly, Ct);
        var buffer = new byte[64];
        Assert.Equal("file 0", System.Text.Encoding.UTF8.GetString(buffer, 0, await fs.Client.ReadAsync(renamed, 0, buffer, Ct)));
    }

    /// <summary>A RAM tree served over 9P (inner), mounted at /r through RemoteFileSystem in a namespace served over 9P.</summary>
    private sealed class RelaySetup : IAsyncDisposable
    {
        private RemoteFileSystem _remote = null!;
        private LoopbackServer _outer = null!;

        public LoopbackServer Inner { get; private init; } = null!;
        public StyxFs Fs { get; private set; } = null!;

        public static async Task<RelaySetup> StartAsync(int files)
        {
            var ram = new RamFileSystem();
            var setup = new RelaySetup { Inner = new LoopbackServer(ram) };
            setup._remote = await RemoteFileSystem.ConnectAsync("127.0.0.1", setup.Inner.Port, uname: "root", cancellationToken: Ct);
            var ns = new Namespace();
            ns.Mount("/r", setup._remote);
            setup._outer = new LoopbackServer(ns);
            var stream = new System.Net.Sockets.NetworkStream(await setup._outer.ConnectSocketAsync(), ownsSocket: true);
            setup.Fs = await StyxFs.MountAsync(stream, "root", nUname: 0, ct: Ct);
            var directory = await setup.Fs.WalkAsync("r", Ct);
            await setup.Fs.Client.ClunkAsync(directory, Ct);
            for (var i = 0; i < files; i++)
            {
                var fid = await setup.Fs.WalkAsync("r", Ct);
                await setup.Fs.Client.LcreateAsync(fid, $"f{i}", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
                await setup.Fs.Client.WriteAllAsync(fid, 0, System.Text.Encoding.UTF8.GetBytes($"file {i}"), Ct);
                await setup.Fs.Client.ClunkAsync(fid, Ct);
            }
            // Setting up walked the files too: start from a relay that keeps nothing.
            await Eventually.TrueAsync(() => Task.FromResult(setup.Inner.FidCount <= 1), Bound, "setup fids clunked", Ct);
            return setup;
        }

        public async ValueTask DisposeAsync()
        {
            await Fs.DisposeAsync();
            await _outer.DisposeAsync();
            await _remote.DisposeAsync();
            await Inner.DisposeAsync();
        }
    }
}
