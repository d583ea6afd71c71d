using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using static Cheshire.Styx.Tests.Ram.RamHarness;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>atime, mtime and ctime move as POSIX says; utimensat's UTIME_NOW and UTIME_OMIT.</summary>
public sealed class RamTimeTests
{
    private static (ulong Seconds, ulong Nanoseconds) M(Rgetattr a) => (a.MtimeSec, a.MtimeNsec);
    private static (ulong Seconds, ulong Nanoseconds) C(Rgetattr a) => (a.CtimeSec, a.CtimeNsec);
    private static (ulong Seconds, ulong Nanoseconds) A(Rgetattr a) => (a.AtimeSec, a.AtimeNsec);

    private static void Later((ulong, ulong) before, (ulong, ulong) after) =>
        Assert.True(after.CompareTo(before) > 0, $"{after} is not later than {before}");

    [Fact]
    public async Task Create_remove_rename_and_link_move_the_directories_mtime_and_ctime()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        await alice.MkdirAsync("a");
        await alice.MkdirAsync("b");

        var before = await alice.StatAsync("a");
        await alice.CreateAsync("a/f");
        var afterCreate = await alice.StatAsync("a");
        Later(M(before), M(afterCreate));
        Later(C(before), C(afterCreate));
        var file = await alice.StatAsync("a/f");
        Assert.Equal(M(file), C(file));

        var bBefore = await alice.StatAsync("b");
        await alice.RenameAsync("a/f", "b/f");
        var afterRename = await alice.StatAsync("a");
        var bAfter = await alice.StatAsync("b");
        var moved = await alice.StatAsync("b/f");
        Later(M(afterCreate), M(afterRename));
        Later(M(bBefore), M(bAfter));
        Later(C(file), C(moved)); // the renamed inode's ctime moves too (Linux)
        Assert.Equal(M(file), M(moved));

        await alice.LinkAsync("b/f", "a/g");
        var afterLink = await alice.StatAsync("a");
        var linked = await alice.StatAsync("a/g");
        Later(M(afterRename), M(afterLink));
        Later(C(moved), C(linked));
        Assert.Equal(M(file), M(linked));

        await alice.UnlinkAsync("a/g");
        Later(M(afterLink), M(await alice.StatAsync("a")));
        Later(C(linked), C(await alice.StatAsync("b/f"))); // one name fewer: ctime
    }

    [Fact]
    public async Task Chmod_and_chown_move_ctime_only_write_and_truncate_move_mtime_read_moves_atime()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var root = await h.AttachAsync(0);
        await alice.CreateAsync("f");
        var created = await alice.StatAsync("f");

        await alice.ChmodAsync("f", 0x180);
        var chmodded = await alice.StatAsync("f");
        Later(C(created), C(chmodded));
        Assert.Equal(M(created), M(chmodded));
        await root.ChownAsync("f", 1000, 50);
        var chowned = await alice.StatAsync("f");
        Later(C(chmodded), C(chowned));
        Assert.Equal(M(created), M(chowned));

        await alice.WriteAsync("f", "data"u8.ToArray());
        var written = await alice.StatAsync("f");
        Later(M(chowned), M(written));
        Later(C(chowned), C(written));

        await alice.SetattrAsync("f", SetattrMask.Size, size: 2);
        var truncated = await alice.StatAsync("f");
        Later(M(written), M(truncated));
        Later(C(written), C(truncated));
        await alice.SetattrAsync("f", SetattrMask.Size, size: 2); // same size: nothing to change
        Assert.Equal(M(truncated), M(await alice.StatAsync("f")));

        await alice.SetattrAsync("f", SetattrMask.Atime | SetattrMask.AtimeSet, atime: 1_000_000);
        Assert.Equal(1_000_000ul, (await alice.StatAsync("f")).AtimeSec);
        await alice.ReadAsync("f");
        var read = await alice.StatAsync("f");
        Later((1_000_000ul, 0ul), A(read));
        Assert.Equal(M(truncated), M(read));
    }

    [Fact]
    public async Task Utimensat_sets_explicit_times_for_the_owner_and_now_for_writers()
    {
        await using var h = RamHarness.Start();
        var alice = await h.AttachAsync(1000);
        var bob = await h.AttachAsync(1001);
        await alice.CreateAsync("f", 0x1B6); // 0666: bob may write
        await alice.CreateAsync("ro", 0x1A4);

        await alice.SetattrAsync("f", SetattrMask.Atime | SetattrMask.AtimeSet | SetattrMask.Mtime | SetattrMask.MtimeSet,
            atime: 1_000, mtime: 2_000);
        var set = await alice.StatAsync("f");
        Assert.Equal((1_000ul, 2_000ul), (set.AtimeSec, set.MtimeSec));
        await alice.WithFidAsync("f", fid => alice.Client.SetattrAsync(new Tsetattr(0, fid,
            SetattrMask.Atime | SetattrMask.AtimeSet | SetattrMask.Mtime | SetattrMask.MtimeSet, 0, 0, 0, 0, 1_000, 100_000_000, 2_000, 200_000_000)));
        set = await alice.StatAsync("f");
        Assert.Equal((1_000ul, 100_000_000ul, 2_000ul, 200_000_000ul), (set.AtimeSec, set.AtimeNsec, set.MtimeSec, set.MtimeNsec));
        await alice.SetattrAsync("f", SetattrMask.Mtime | SetattrMask.MtimeSet, mtime: 3_000); // atime UTIME_OMIT
        Assert.Equal((1_000ul, 3_000ul), ((await alice.StatAsync("f")).AtimeSec, (await alice.StatAsync("f")).MtimeSec));

        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.SetattrAsync("f", SetattrMask.Mtime | SetattrMask.MtimeSet, mtime: 5)));
        await bob.SetattrAsync("f", SetattrMask.Atime | SetattrMask.Mtime); // UTIME_NOW for both: a writer may
        var touched = await alice.StatAsync("f");
        Assert.True(touched.MtimeSec > 3_000 && touched.AtimeSec > 1_000);
        Assert.Equal(Errno.EPERM, await ErrnoOf(() => bob.SetattrAsync("f", SetattrMask.Atime))); // UTIME_NOW + UTIME_OMIT: owner only
        await bob.SetattrAsync("f", SetattrMask.Size | SetattrMask.Mtime | SetattrMask.Ctime, size: 1); // truncate(2) as Linux sends it
        Assert.Equal(Errno.EACCES, await ErrnoOf(() => bob.SetattrAsync("ro", SetattrMask.Atime | SetattrMask.Mtime)));
        await alice.SetattrAsync("ro", SetattrMask.Atime | SetattrMask.Mtime);
    }
}
