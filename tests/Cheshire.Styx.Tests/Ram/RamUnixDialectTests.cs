using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>9P2000.u: setuid, setgid and sticky travel in stat's mode; devices in its extension.</summary>
public sealed class RamUnixDialectTests
{
    private const uint DmSetVtx = 0x00010000;

    [Fact]
    public async Task Setuid_setgid_and_sticky_round_trip_through_create_wstat_and_stat()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000, DialectNames.Unix, "alice");
        var bob = await h.AttachAsync(1001);
        var fid = await alice.WalkAsync("");
        await alice.Client.CreateAsync(fid, "tool", StyxMode.SetUid | 0x1ED, StyxOpenMode.Write);
        await alice.Client.ClunkAsync(fid);
        var stat = await alice.WithFidAsync("tool", f => alice.Client.StatAsync(f));
        Assert.Equal(StyxMode.SetUid | 0x1ED, stat.Mode);
        Assert.Equal(UnixMode.Regular | 0x9ED, (await bob.StatAsync("tool")).Mode); // the same bits as .L sees them

        await alice.WithFidAsync("tool", f => alice.Client.WstatAsync(f, StatEntry.DontTouch with { Mode = StyxMode.SetGid | 0x1FD }));
        Assert.Equal(UnixMode.Regular | 0x5FD, (await bob.StatAsync("tool")).Mode);

        fid = await alice.WalkAsync("");
        await alice.Client.CreateAsync(fid, "shared", StyxMode.Directory | DmSetVtx | 0x1FF, StyxOpenMode.Read);
        await alice.Client.ClunkAsync(fid);
        Assert.Equal(UnixMode.Directory | 0x3FF, (await bob.StatAsync("shared")).Mode);
        var shared = await alice.WithFidAsync("shared", f => alice.Client.StatAsync(f));
        Assert.Equal(StyxMode.Directory | DmSetVtx | 0x1FF, shared.Mode);
        Assert.Equal(("alice", 1000u), (shared.Uid, shared.NUid));
    }

    [Fact]
    public async Task Devices_are_made_and_shown_with_their_numbers_in_the_extension()
    {
        await using var h = RamHarness.Start();
        var root = await h.AttachAsync(0, DialectNames.Unix, "root");
        var fid = await root.WalkAsync("");
        await root.Client.CreateAsync(fid, "sda", StyxMode.Device | 0x1B0, StyxOpenMode.Read, "b 8 0");
        await root.Client.ClunkAsync(fid);
        var stat = await root.WithFidAsync("sda", f => root.Client.StatAsync(f));
        Assert.Equal((StyxMode.Device | 0x1B0, "b 8 0"), (stat.Mode, stat.Extension));
        var linux = await h.AttachAsync(0);
        var attributes = await linux.StatAsync("sda");
        Assert.Equal((UnixMode.BlockDevice | 0x1B0, 0x800ul), (attributes.Mode, attributes.Rdev));
    }

    [Fact]
    public async Task Unix_dialect_users_are_checked_too()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000, DialectNames.Unix, "alice");
        var bob = await h.AttachAsync(1001, DialectNames.Unix, "bob");
        var fid = await alice.WalkAsync("");
        await alice.Client.CreateAsync(fid, "diary", 0x180, StyxOpenMode.Write);
        await alice.Client.ClunkAsync(fid);
        var refused = await Assert.ThrowsAsync<StyxErrorException>(() => bob.WithFidAsync("diary", f => bob.Client.OpenAsync(f, StyxOpenMode.Read)));
        Assert.Equal(Errno.EACCES, refused.Errno);
        var notOwner = await Assert.ThrowsAsync<StyxErrorException>(() =>
            bob.WithFidAsync("diary", f => bob.Client.WstatAsync(f, StatEntry.DontTouch with { Mode = 0x1B6 })));
        Assert.Equal(Errno.EPERM, notOwner.Errno);
        await alice.WithFidAsync("diary", f => alice.Client.OpenAsync(f, StyxOpenMode.Read));
    }
}
