using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

/// <summary>One instance of every message type, with non-trivial field values.</summary>
internal static class SampleMessages
{
    private static readonly Qid QidA = new(QidType.Directory, 7, 0x1122334455667788);
    private static readonly Qid QidB = new(QidType.File, 1, 42);

    public static StatEntry Stat => new(1, 2, QidB, 0x1A4, 1700000000, 1700000001, 1234, "name", "glenda", "sys", "glenda",
        "ext", 1000, 100, 1000);

    public static IEnumerable<Message> All()
    {
        yield return new Tversion(StyxConstants.NoTag, 8192, "9P2000.L");
        yield return new Rversion(StyxConstants.NoTag, 8192, "9P2000.u");
        yield return new Tauth(1, 5, "glenda", "", 1000);
        yield return new Rauth(1, QidA);
        yield return new Tattach(2, 1, StyxConstants.NoFid, "glenda", "/tmp", 1000);
        yield return new Rattach(2, QidA);
        yield return new Rerror(3, "No such file or directory", Errno.ENOENT);
        yield return new Rlerror(3, Errno.ENOENT);
        yield return new Tflush(4, 3);
        yield return new Rflush(4);
        yield return new Twalk(5, 1, 2, ["usr", "glenda", "lib", "ünïcødé"]);
        yield return new Rwalk(5, [QidA, QidA, QidB]);
        yield return new Topen(6, 2, StyxOpenMode.ReadWrite | StyxOpenMode.Truncate);
        yield return new Ropen(6, QidB, 8168);
        yield return new Tcreate(7, 2, "new", 0x1A4, StyxOpenMode.Write, "");
        yield return new Rcreate(7, QidB, 8168);
        yield return new Tread(8, 2, 1UL << 40, 8168);
        yield return new Rread(8, new byte[] { 1, 2, 3, 4, 5 });
        yield return new Twrite(9, 2, 77, new byte[] { 9, 8, 7 });
        yield return new Rwrite(9, 3);
        yield return new Tclunk(10, 2);
        yield return new Rclunk(10);
        yield return new Tremove(11, 2);
        yield return new Rremove(11);
        yield return new Tstat(12, 2);
        yield return new Rstat(12, Stat);
        yield return new Twstat(13, 2, Stat);
        yield return new Rwstat(13);
        yield return new Tstatfs(14, 1);
        yield return new Rstatfs(14, 0x01021997, 4096, 100, 50, 40, 1000, 900, 77, 255);
        yield return new Tlopen(15, 2, 0x8002);
        yield return new Rlopen(15, QidB, 0);
        yield return new Tlcreate(16, 1, "file", 0x241, 0x81A4, 100);
        yield return new Rlcreate(16, QidB, 8168);
        yield return new Tsymlink(17, 1, "link", "target/path", 100);
        yield return new Rsymlink(17, QidB);
        yield return new Tmknod(18, 1, "fifo", 0x11A4, 1, 2, 100);
        yield return new Rmknod(18, QidB);
        yield return new Trename(19, 2, 1, "renamed");
        yield return new Rrename(19);
        yield return new Treadlink(20, 2);
        yield return new Rreadlink(20, "target/path");
        yield return new Tgetattr(21, 2, GetattrMask.All);
        yield return new Rgetattr(21, GetattrMask.Basic, QidB, 0x81A4, 1000, 100, 1, 0, 1234, 4096, 8,
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        yield return new Tsetattr(22, 2, SetattrMask.Size | SetattrMask.Mode, 0x1ED, 1, 2, 99, 1, 2, 3, 4);
        yield return new Rsetattr(22);
        yield return new Txattrwalk(23, 2, 3, "user.x");
        yield return new Rxattrwalk(23, 12);
        yield return new Txattrcreate(24, 2, "user.x", 12, 0);
        yield return new Rxattrcreate(24);
        yield return new Treaddir(25, 2, 3, 8192);
        yield return new Rreaddir(25, DirentBytes());
        yield return new Tfsync(26, 2, 1);
        yield return new Rfsync(26);
        yield return new Tlock(27, 2, 1, 0, 0, 100, 42, "host");
        yield return new Rlock(27, Rlock.Success);
        yield return new Tgetlock(28, 2, 1, 0, 100, 42, "host");
        yield return new Rgetlock(28, Rgetlock.Unlocked, 0, 100, 42, "host");
        yield return new Tlink(29, 1, 2, "hard");
        yield return new Rlink(29);
        yield return new Tmkdir(30, 1, "dir", 0x1ED, 100);
        yield return new Rmkdir(30, QidA);
        yield return new Trenameat(31, 1, "old", 1, "new");
        yield return new Rrenameat(31);
        yield return new Tunlinkat(32, 1, "dir", Tunlinkat.RemoveDirectory);
        yield return new Runlinkat(32);
    }

    private static byte[] DirentBytes()
    {
        var entries = new[] { new Dirent(QidA, 1, 4, "."), new Dirent(QidB, 2, 8, "file") };
        var bytes = new byte[entries.Sum(e => e.WireSize)];
        var writer = new StyxWriter(bytes);
        foreach (var entry in entries) entry.Write(ref writer);
        return bytes;
    }
}
