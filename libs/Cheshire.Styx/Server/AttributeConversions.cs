using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>Maps <see cref="NodeAttributes"/> to 9P2000 stat, .L getattr, and wstat/setattr to changes.</summary>
internal static class AttributeConversions
{
    /// <summary>9P2000.u sticky bit (Linux P9_DMSETVTX).</summary>
    private const uint DmSetVtx = 0x00010000;
    private const uint UnixSetUid = 0x800, UnixSetGid = 0x400, UnixSticky = 0x200;

    public static StatEntry ToStat(NodeAttributes a, Dialect d, string? name = null)
    {
        uint mode = a.Mode & UnixMode.PermissionMask & 0x1FF;
        switch (a.Mode & UnixMode.TypeMask)
        {
            case UnixMode.Directory: mode |= StyxMode.Directory; break;
            case UnixMode.Symlink: mode |= StyxMode.Symlink; break;
            case UnixMode.CharDevice or UnixMode.BlockDevice: mode |= StyxMode.Device; break;
            case UnixMode.Fifo: mode |= StyxMode.NamedPipe; break;
            case UnixMode.Socket: mode |= StyxMode.Socket; break;
        }
        if ((a.Mode & UnixSetUid) != 0) mode |= StyxMode.SetUid;
        if ((a.Mode & UnixSetGid) != 0) mode |= StyxMode.SetGid;
        if ((a.Mode & UnixSticky) != 0 && d == Dialect.Unix) mode |= DmSetVtx;
        if ((a.Qid.Type & QidType.Append) != 0) mode |= StyxMode.Append;
        if ((a.Qid.Type & QidType.Exclusive) != 0) mode |= StyxMode.Exclusive;
        if ((a.Qid.Type & QidType.Temporary) != 0) mode |= StyxMode.Temporary;
        var stat = new StatEntry(0, 0, a.Qid, mode, Seconds(a.AccessTime), Seconds(a.ModifyTime),
            a.IsDirectory ? 0 : a.Size, name ?? a.Name, a.UserName, a.GroupName, a.ModifiedBy);
        return d == Dialect.Unix
            ? stat with { Extension = Extension(a), NUid = a.Uid, NGid = a.Gid, NMuid = a.Uid }
            : stat;
    }

    /// <summary>The .u stat extension: a symlink's target, or "c major minor" / "b major minor" for a device.</summary>
    private static string Extension(NodeAttributes a) => (a.Mode & UnixMode.TypeMask) switch
    {
        UnixMode.CharDevice => $"c {DeviceNumber.Major(a.Rdev)} {DeviceNumber.Minor(a.Rdev)}",
        UnixMode.BlockDevice => $"b {DeviceNumber.Major(a.Rdev)} {DeviceNumber.Minor(a.Rdev)}",
        _ => a.SymlinkTarget,
    };

    /// <summary>Setuid, setgid and sticky of a .u mode as Unix bits.</summary>
    private static uint SpecialBits(uint styxMode) =>
        ((styxMode & StyxMode.SetUid) != 0 ? UnixSetUid : 0) | ((styxMode & StyxMode.SetGid) != 0 ? UnixSetGid : 0) |
        ((styxMode & DmSetVtx) != 0 ? UnixSticky : 0);

    public static Rgetattr ToGetattr(ushort tag, NodeAttributes a)
    {
        var (aSec, aNsec) = Split(a.AccessTime);
        var (mSec, mNsec) = Split(a.ModifyTime);
        var (cSec, cNsec) = Split(a.ChangeTime);
        ulong size = a.IsDirectory ? 4096 : a.Size;
        return new Rgetattr(tag, GetattrMask.Basic, a.Qid, a.Mode, a.Uid, a.Gid, a.LinkCount, a.Rdev, size, 4096,
            (size + 511) / 512, aSec, aNsec, mSec, mNsec, cSec, cNsec, 0, 0, 0, 0);
    }

    /// <summary>The attribute part of a Twstat (the name part is a rename, handled by the caller).</summary>
    public static AttributeChanges FromWstat(StatEntry s, Dialect d, string user)
    {
        var changes = new AttributeChanges { ChangedBy = user };
        if (s.Mode != uint.MaxValue)
            changes = changes with { Permissions = (s.Mode & 0x1FF) | (d == Dialect.Unix ? SpecialBits(s.Mode) : 0) };
        if (s.Length != ulong.MaxValue) changes = changes with { Size = s.Length };
        if (s.Mtime != uint.MaxValue) changes = changes with { ModifyTime = DateTimeOffset.FromUnixTimeSeconds(s.Mtime) };
        if (s.Atime != uint.MaxValue) changes = changes with { AccessTime = DateTimeOffset.FromUnixTimeSeconds(s.Atime) };
        if (s.Gid.Length > 0) changes = changes with { GroupName = s.Gid };
        if (d == Dialect.Unix)
        {
            if (s.NUid != StatEntry.NoId) changes = changes with { Uid = s.NUid };
            if (s.NGid != StatEntry.NoId) changes = changes with { Gid = s.NGid };
        }
        return changes;
    }

    public static AttributeChanges FromSetattr(Tsetattr m, string user)
    {
        var now = DateTimeOffset.UtcNow;
        var changes = new AttributeChanges
        {
            ChangedBy = user,
            TimesAreNow = TouchesNow(m.Valid),
        };
        if ((m.Valid & SetattrMask.Mode) != 0) changes = changes with { Permissions = m.Mode & UnixMode.PermissionMask };
        if ((m.Valid & SetattrMask.Uid) != 0) changes = changes with { Uid = m.Uid };
        if ((m.Valid & SetattrMask.Gid) != 0) changes = changes with { Gid = m.Gid };
        if ((m.Valid & SetattrMask.Size) != 0) changes = changes with { Size = m.Size };
        if ((m.Valid & SetattrMask.Atime) != 0)
            changes = changes with { AccessTime = (m.Valid & SetattrMask.AtimeSet) != 0 ? Join(m.AtimeSec, m.AtimeNsec) : now };
        if ((m.Valid & SetattrMask.Mtime) != 0)
            changes = changes with { ModifyTime = (m.Valid & SetattrMask.MtimeSet) != 0 ? Join(m.MtimeSec, m.MtimeNsec) : now };
        return changes;
    }

    /// <summary>
    /// Linux sends utimes(NULL) / UTIME_NOW for both times as atime|mtime without the _SET bits, and truncate as
    /// size|mtime: those are "now" (owner or writer). One time NOW and the other omitted is ATTR_TIMES_SET in Linux: owner.
    /// </summary>
    private static bool TouchesNow(uint valid)
    {
        const uint both = SetattrMask.Atime | SetattrMask.Mtime;
        if ((valid & (SetattrMask.AtimeSet | SetattrMask.MtimeSet)) != 0 || (valid & both) == 0) return false;
        return (valid & both) == both || (valid & SetattrMask.Size) != 0;
    }

    /// <summary>Unix type and permission bits of a 9P2000(.u) create permission (a .u device is "b" or "c" by its extension).</summary>
    public static uint CreateMode(uint perm, string extension = "")
    {
        uint permissions = (perm & 0x1FF) | SpecialBits(perm);
        if ((perm & StyxMode.Device) != 0 && extension.StartsWith('b')) return UnixMode.BlockDevice | permissions;
        if ((perm & StyxMode.Directory) != 0) return UnixMode.Directory | permissions;
        if ((perm & StyxMode.Symlink) != 0) return UnixMode.Symlink | permissions;
        if ((perm & StyxMode.Device) != 0) return UnixMode.CharDevice | permissions;
        if ((perm & StyxMode.NamedPipe) != 0) return UnixMode.Fifo | permissions;
        if ((perm & StyxMode.Socket) != 0) return UnixMode.Socket | permissions;
        return UnixMode.Regular | permissions;
    }

    /// <summary>Major and minor of a .u device extension ("c 1 3"); zeros if it says none.</summary>
    public static (uint Major, uint Minor) DeviceOf(string extension)
    {
        var parts = extension.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 3 && uint.TryParse(parts[1], out uint major) && uint.TryParse(parts[2], out uint minor)
            ? (major, minor)
            : (0, 0);
    }

    /// <summary>Linux dirent d_type from a qid.</summary>
    public static byte DirentType(Qid qid) =>
        qid.IsDirectory ? (byte)4 : (qid.Type & QidType.Symlink) != 0 ? (byte)10 : (byte)8;

    private static uint Seconds(DateTimeOffset time) => (uint)Math.Clamp(time.ToUnixTimeSeconds(), 0, uint.MaxValue);

    private static (ulong Seconds, ulong Nanoseconds) Split(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks < 0) return (0, 0);
        return ((ulong)(ticks / TimeSpan.TicksPerSecond), (ulong)(ticks % TimeSpan.TicksPerSecond) * 100);
    }

    private static DateTimeOffset Join(ulong seconds, ulong nanoseconds)
    {
        long s = (long)Math.Min(seconds, 253402300799UL);
        return DateTimeOffset.FromUnixTimeSeconds(s).AddTicks((long)Math.Min(nanoseconds, 999_999_999UL) / 100);
    }
}
