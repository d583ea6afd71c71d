using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>Conversions between remote replies (Rgetattr, stat) and the tree's attribute records.</summary>
internal static class RemoteAttributes
{
    public static NodeAttributes FromGetattr(Rgetattr r, string name) => new()
    {
        Qid = r.Qid, Name = name, Mode = r.Mode, Uid = r.Uid, Gid = r.Gid,
        UserName = r.Uid.ToString(), GroupName = r.Gid.ToString(), ModifiedBy = r.Uid.ToString(),
        LinkCount = r.Nlink, Size = r.Size,
        AccessTime = Time(r.AtimeSec, r.AtimeNsec), ModifyTime = Time(r.MtimeSec, r.MtimeNsec), ChangeTime = Time(r.CtimeSec, r.CtimeNsec),
    };

    public static Tsetattr ToSetattr(uint fid, AttributeChanges c)
    {
        uint valid = 0;
        if (c.Permissions is not null) valid |= SetattrMask.Mode;
        if (c.Uid is not null) valid |= SetattrMask.Uid;
        if (c.Gid is not null) valid |= SetattrMask.Gid;
        if (c.Size is not null) valid |= SetattrMask.Size;
        if (c.AccessTime is not null) valid |= SetattrMask.Atime | SetattrMask.AtimeSet;
        if (c.ModifyTime is not null) valid |= SetattrMask.Mtime | SetattrMask.MtimeSet;
        var (atime, atimeNs) = Split(c.AccessTime);
        var (mtime, mtimeNs) = Split(c.ModifyTime);
        return new Tsetattr(0, fid, valid, (c.Permissions ?? 0) & 0xFFF, c.Uid ?? 0, c.Gid ?? 0, c.Size ?? 0, atime, atimeNs, mtime, mtimeNs);
    }

    /// <summary>A 9P2000/.u stat as attributes: the DM* type bits become Unix type bits.</summary>
    public static NodeAttributes FromStat(StatEntry s, string name)
    {
        uint type = (s.Mode & StyxMode.Directory) != 0 ? UnixMode.Directory
            : (s.Mode & StyxMode.Symlink) != 0 ? UnixMode.Symlink
            : UnixMode.Regular;
        return new NodeAttributes
        {
            Qid = s.Qid, Name = name, Mode = type | (s.Mode & 0xFFF),
            Uid = s.NUid == StatEntry.NoId ? 0 : s.NUid, Gid = s.NGid == StatEntry.NoId ? 0 : s.NGid,
            UserName = s.Uid, GroupName = s.Gid, ModifiedBy = s.Muid, Size = s.Length,
            AccessTime = DateTimeOffset.FromUnixTimeSeconds(s.Atime), ModifyTime = DateTimeOffset.FromUnixTimeSeconds(s.Mtime),
            ChangeTime = DateTimeOffset.FromUnixTimeSeconds(s.Mtime),
            SymlinkTarget = (s.Mode & StyxMode.Symlink) != 0 ? s.Extension : "",
        };
    }

    /// <summary>A Twstat stat for the changes 9P2000 can express (mode, size, mtime, atime, group name).</summary>
    public static StatEntry ToWstat(AttributeChanges c, bool isDirectory)
    {
        if (c.Uid is not null) throw new StyxErrorException(Errno.EPERM, "9P2000 cannot change a file's owner");
        var stat = StatEntry.DontTouch;
        if (c.Permissions is { } p) stat = stat with { Mode = (p & 0xFFF) | (isDirectory ? StyxMode.Directory : 0) };
        if (c.Size is { } size) stat = stat with { Length = size };
        if (c.ModifyTime is { } m) stat = stat with { Mtime = (uint)m.ToUnixTimeSeconds() };
        if (c.AccessTime is { } a) stat = stat with { Atime = (uint)a.ToUnixTimeSeconds() };
        if (c.GroupName is { } g) stat = stat with { Gid = g };
        return stat;
    }

    private static DateTimeOffset Time(ulong seconds, ulong nanoseconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)seconds).AddTicks((long)(nanoseconds / 100));

    private static (ulong Seconds, ulong Nanoseconds) Split(DateTimeOffset? time)
    {
        if (time is not { } t) return (0, 0);
        long ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ((ulong)(ticks / TimeSpan.TicksPerSecond), (ulong)(ticks % TimeSpan.TicksPerSecond * 100));
    }
}
