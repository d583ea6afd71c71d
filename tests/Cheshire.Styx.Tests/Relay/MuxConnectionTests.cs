using System.Text;
using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.Styx.Tests.Relay;

/// <summary>
/// Clients of a relay (<see cref="Cheshire.Styx.Relay.MuxConnection"/>) sharing one link to a real 9P server: what each
/// client sees, and what the server is left holding.
/// </summary>
public sealed class MuxConnectionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FilesAreWrittenListedAndReadThroughTheRelay()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using var fs = await rig.MountAsync();
        var directory = await fs.WalkAsync("", Ct);
        await fs.Client.LcreateAsync(directory, "big", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        var data = new byte[3 << 20];
        new Random(7).NextBytes(data);
        await fs.Client.WriteAllAsync(directory, 0, data, Ct);
        await fs.Client.ClunkAsync(directory, Ct);

        // Rread payloads of a whole msize (512 KiB), copied on in chunks.
        Assert.Equal(data, await fs.ReadAsync("big", Ct));
        Assert.Equal(["big"], await fs.ListAsync("", Ct));
        Assert.Empty(rig.Refusals);
    }

    [Fact]
    public async Task TwoClientsWithTheSameFidsAndTagsEachSeeTheirOwnFilesOverOneLink()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using var alice = await rig.ConnectAsync();
        await using var bob = await rig.ConnectAsync();
        async Task PrepareAsync(StyxClient client, string name)
        {
            await client.AttachAsync(1, "glenda", "", 0, ct: Ct);
            await client.WalkAsync(1, 2, [], Ct);
            await client.LcreateAsync(2, name, LinuxOpenFlags.ReadWrite, 0x1A4, ct: Ct);
            await client.WriteAllAsync(2, 0, Encoding.UTF8.GetBytes($"this is {name}\n"), Ct);
            await client.ClunkAsync(2, Ct);
        }
        await PrepareAsync(alice, "alice.txt");
        await PrepareAsync(bob, "bob.txt");

        // The same fid numbers (1, 3) and, as each client numbers its tags from the same start, the same tags at once.
        async Task<string> ReadAsync(StyxClient client, string name)
        {
            await client.WalkAsync(1, 3, [name], Ct);
            await client.LopenAsync(3, LinuxOpenFlags.ReadOnly, Ct);
            var text = Encoding.UTF8.GetString(await client.ReadAllAsync(3, Ct));
            await client.ClunkAsync(3, Ct);
            return text;
        }
        for (var round = 0; round < 50; round++)
        {
            var reads = await Task.WhenAll(ReadAsync(alice, "alice.txt"), ReadAsync(bob, "bob.txt"));
            Assert.Equal(["this is alice.txt\n", "this is bob.txt\n"], reads);
        }

        // One link carries both: two connections attached through it, one fid each on the server.
        Assert.Equal(2, rig.Link.Connections);
        Assert.Equal(2, rig.Server.FidCount);
        Assert.All(rig.Connections, c => Assert.Equal(1, c.FidCount));
    }

    [Fact]
    public async Task AFlushIsPassedOnWithItsTagsTranslated()
    {
        var slow = new SlowFileSystem();
        await using var rig = await MuxRig.StartAsync(slow);
        await using var raw = new RawConnection(await rig.ConnectSocketAsync());
        await SessionAsync(raw, 8192);
        Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(2, 1, 2, ["slow"])));
        Assert.IsType<Rlopen>(await CallAsync(raw, new Tlopen(3, 2, LinuxOpenFlags.ReadOnly)));

        await raw.SendAsync(new Tread(4, 2, 0, 100)); // waits on the server until flushed
        await raw.SendAsync(new Tflush(5, 4));
        Assert.Equal(new Rflush(5), await raw.RequireAsync(Bound));
        await Eventually.TrueAsync(() => Task.FromResult(slow.CancelledReads == 1), Bound, "the read cancelled on the server", Ct);

        // A flush right behind a quick request: its reply (if the server answered first) comes before the Rflush.
        for (ushort round = 0; round < 20; round++)
        {
            await raw.SendAsync(new Tgetattr(7, 1, GetattrMask.Basic));
            await raw.SendAsync(new Tflush(8, 7));
            var first = await raw.RequireAsync(Bound);
            if (first is Rgetattr) first = await raw.RequireAsync(Bound);
            Assert.Equal(new Rflush(8), first);
        }

        // A tag not in flight is flushed at once; the flushed tag is free again.
        Assert.Equal(new Rflush(6), await CallAsync(raw, new Tflush(6, 99)));
        Assert.IsType<Rclunk>(await CallAsync(raw, new Tclunk(4, 2)));
        await Eventually.TrueAsync(() => Task.FromResult(rig.Link.Tags.InUse == 0), Bound, "no link tag left in flight", Ct);
    }

    [Fact]
    public async Task WhenAClientGoesItsFidsAreClunkedOnTheServer()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using (var raw = new RawConnection(await rig.ConnectSocketAsync()))
        {
            await SessionAsync(raw, 8192);
            Assert.IsType<Rmkdir>(await CallAsync(raw, new Tmkdir(2, 1, "dir", 0x1ED, 0)));
            Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(3, 1, 2, ["dir"])));
            Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(4, 1, 3, [])));
            // A walk that fails makes no fid: its newfid is free for the next one.
            Assert.Equal(new Rlerror(5, Errno.ENOENT), await CallAsync(raw, new Twalk(5, 1, 4, ["missing"])));
            Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(6, 2, 4, [])));
            // A partial walk (first name found, second not) makes none either.
            var partial = Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(7, 1, 5, ["dir", "missing"])));
            Assert.Single(partial.Qids);
            Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(8, 1, 5, [])));
            Assert.Equal(5, rig.Server.FidCount);
            Assert.Equal(5, rig.Link.Fids.InUse);
        }
        await Eventually.TrueAsync(() => Task.FromResult(rig.Server.FidCount == 0 && rig.Link.Fids.InUse == 0), Bound,
            "every fid of the client clunked on the server", Ct);
        Assert.Equal(0, rig.Link.Connections);
    }

    [Fact]
    public async Task FidsAreCheckedAsAServerChecksThem()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using var raw = new RawConnection(await rig.ConnectSocketAsync());
        await SessionAsync(raw, 8192);
        Assert.Equal(new Rlerror(2, Errno.EBADF), await CallAsync(raw, new Tgetattr(2, 9, GetattrMask.Basic)));
        Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(3, 1, 1, []))); // a fid walked in place stays one fid
        Assert.IsType<Rwalk>(await CallAsync(raw, new Twalk(4, 1, 2, [])));
        Assert.Equal(new Rlerror(5, Errno.EBADF), await CallAsync(raw, new Twalk(5, 1, 2, []))); // newfid in use
        Assert.Equal(new Rlerror(6, Errno.EBADF), await CallAsync(raw, new Tattach(6, 2, StyxConstants.NoFid, "glenda", "", 0)));
        Assert.Equal(new Rlerror(7, Errno.EINVAL), await CallAsync(raw, new Tattach(7, 3, 5, "glenda", "", 0)));
        Assert.Equal(new Rlerror(8, Errno.ENOENT), await CallAsync(raw, new Tauth(8, 5, "glenda", "", 0)));
        Assert.Equal(new Rlerror(9, Errno.EBADF), await CallAsync(raw, new Trenameat(9, 1, "a", 7, "b"))); // second fid unknown
        Assert.IsType<Rclunk>(await CallAsync(raw, new Tclunk(10, 2)));
        Assert.Equal(new Rlerror(11, Errno.EBADF), await CallAsync(raw, new Tclunk(11, 2))); // gone whatever the answer
    }

    [Fact]
    public async Task OnlyNineP2000LIsSpokenAndMsizeIsCapped()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using var raw = new RawConnection(await rig.ConnectSocketAsync());
        Assert.Equal(new Rversion(StyxConstants.NoTag, 8192, DialectNames.Unknown),
            await CallAsync(raw, new Tversion(StyxConstants.NoTag, 8192, DialectNames.Unix)));
        Assert.Equal(new Rversion(StyxConstants.NoTag, StyxConstants.DefaultMessageSize, DialectNames.Linux),
            await CallAsync(raw, new Tversion(StyxConstants.NoTag, 1 << 30, DialectNames.Linux)));
    }

    [Fact]
    public async Task ALinkWithASmallerMsizeRefusesTheAttachSayingWhy()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem(), linkMsize: 8192 + 24);
        var refused = await Assert.ThrowsAsync<StyxErrorException>(() => rig.MountAsync(msize: 65536));
        Assert.Equal(Errno.EPROTO, refused.Errno);
        Assert.Contains("the link carries messages of at most 8216 bytes, less than this connection's msize 65536", Assert.Single(rig.Refusals));
        await using var fits = await rig.MountAsync(msize: 8192);
        Assert.Empty(await fits.ListAsync("", Ct));
    }

    public static TheoryData<string, byte[]> BadFrames() => new()
    {
        { "over msize", [0x01, 0x20, 0, 0, (byte)MessageType.Tread, 9, 0] },
        { "below a header", [3, 0, 0, 0, (byte)MessageType.Tread, 9, 0] },
        { "18 walk names", [17, 0, 0, 0, (byte)MessageType.Twalk, 9, 0, 1, 0, 0, 0, 2, 0, 0, 0, 18, 0] },
        { "Twrite count", [24, 0, 0, 0, (byte)MessageType.Twrite, 9, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 1] },
        { "a reply type", [11, 0, 0, 0, (byte)MessageType.Rclunk, 9, 0, 1, 0, 0, 0] },
        { "Tversion again", StyxMessageWriter.ToArray(new Tversion(StyxConstants.NoTag, 8192, DialectNames.Linux), Dialect.Linux) },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task ABadFrameClosesOnlyItsOwnConnection(string what, byte[] frame)
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using var good = await rig.MountAsync();
        await using (var bad = new RawConnection(await rig.ConnectSocketAsync()))
        {
            await SessionAsync(bad, 8192);
            await bad.SendBytesAsync(frame);
            Assert.Null(await bad.ReceiveAsync(Bound));
        }
        var closed = Assert.Single(rig.Connections, c => c.ProtocolError is not null);
        Assert.False(string.IsNullOrEmpty(closed.ProtocolError!.Message), what);
        Assert.Empty(await good.ListAsync("", Ct));
        await Eventually.TrueAsync(() => Task.FromResult(rig.Server.FidCount == 1), Bound, "the closed connection's fid clunked", Ct);
    }

    [Fact]
    public async Task WhenTheLinkEndsItsClientsAreClosedAndANewLinkServesTheNextAttach()
    {
        await using var rig = await MuxRig.StartAsync(new RamFileSystem());
        await using var fs = await rig.MountAsync();
        Assert.Empty(await fs.ListAsync("", Ct));
        var old = rig.Link;
        await old.DisposeAsync();
        await Task.WhenAll(rig.Runs).WaitAsync(Bound, Ct);
        Assert.Same(old, Assert.Single(rig.Connections).EndedWithLink);
        await Assert.ThrowsAnyAsync<IOException>(() => fs.ListAsync("", Ct));

        await rig.RedialAsync();
        await using var again = await rig.MountAsync();
        Assert.Empty(await again.ListAsync("", Ct));
    }

    private static async Task SessionAsync(RawConnection raw, uint msize)
    {
        Assert.IsType<Rversion>(await CallAsync(raw, new Tversion(StyxConstants.NoTag, msize, DialectNames.Linux)));
        Assert.IsType<Rattach>(await CallAsync(raw, new Tattach(1, 1, StyxConstants.NoFid, "glenda", "", 0)));
    }

    private static async Task<Message> CallAsync(RawConnection raw, Message request)
    {
        await raw.SendAsync(request);
        return await raw.RequireAsync(Bound);
    }
}
