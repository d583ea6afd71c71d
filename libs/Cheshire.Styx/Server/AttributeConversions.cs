using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>Maps <see cref="NodeAttributes"/> to 9P2000 stat, .L getattr, and wstat/setattr to changes.</summary>
internal static class AttributeConversions
{
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
        if ((a.Mode & 0x800) != 0) mode |= StyxMode.SetUid;
        if ((a.Mode & 0x400) != 0) mode |= StyxMode.SetGid;
        if ((a.Qid.Type & QidType.Append) != 0) mode |= StyxMode.Append;
        if ((a.Qid.Type & QidType.Exclusive) != 0) mode |= StyxMode.Exclusive;
        if ((a.Qid.Type & QidType.Temporary) != 0) mode |= StyxMode.Temporary;
        var stat = new StatEntry(0, 0, a.Qid, mode, Seconds(a.AccessTime), Seconds(a.ModifyTime),
            a.IsDirectory ? 0 : a.Size, name ?? a.Name, a.UserName, a.GroupName, a.ModifiedBy);
        return d == Dialect.Unix
            ? stat with { Extension = a.SymlinkTarget, NUid = a.Uid, NGid = a.Gid, NMuid = a.Uid }
            : stat;
    }

    public static Rgetattr ToGetattr(ushort tag, NodeAttributes a)
    {
        var (aSec, aNsec) = Split(a.AccessTime);
        var (mSec, mNsec) = Split(a.ModifyTime);
        var (cSec, cNsec) = Split(a.ChangeTime);
        ulong size = a.IsDirectory ? 4096 : a.Size;
        return new Rgetattr(tag, GetattrMask.Basic, a.Qid, a.Mode, a.Uid, a.Gid, a.LinkCount, 0, size, 4096,
            (size + 511) / 512, aSec, aNsec, mSec, mNsec, cSec, cNsec, 0, 0, 0, 0);
    }

    /// <summary>The attribute part of a Twstat (the name part is a rename, handled by the caller).</summary>
    public static AttributeChanges FromWstat(StatEntry s, Dialect d, string user)
    {
        var changes = new AttributeChanges { ChangedBy = user };
        if (s.Mode != uint.MaxValue) changes = changes with { Permissions = s.Mode & 0x1FF };
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
        var changes = new AttributeChanges { ChangedBy = user };
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

    /// <summary>Unix type bits of a 9P2000(.u) create permission.</summary>
    public static uint CreateMode(uint perm)
    {
        uint permissions = perm & 0x1FF;
        if ((perm & StyxMode.Directory) != 0) return UnixMode.Directory | permissions;
        if ((perm & StyxMode.Symlink) != 0) return UnixMode.Symlink | permissions;
        if ((perm & StyxMode.Device) != 0) return UnixMode.CharDevice | permissions;
        if ((perm & StyxMode.NamedPipe) != 0) return UnixMode.Fifo | permissions;
        if ((perm & StyxMode.Socket) != 0) return UnixMode.Socket | permissions;
        return UnixMode.Regular | permissions;
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
