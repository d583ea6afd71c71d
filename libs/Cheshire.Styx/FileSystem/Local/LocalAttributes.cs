using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>statx results as <see cref="NodeAttributes"/>.</summary>
internal static class LocalAttributes
{
    public static NodeAttributes From(in LibC.Statx stat, Qid qid, string name, string symlinkTarget) => new()
    {
        Qid = qid,
        Name = name,
        Mode = stat.Mode,
        Uid = stat.Uid,
        Gid = stat.Gid,
        UserName = OsNames.User(stat.Uid),
        GroupName = OsNames.Group(stat.Gid),
        ModifiedBy = OsNames.User(stat.Uid),
        LinkCount = stat.LinkCount,
        Size = stat.Size,
        AccessTime = Time(stat.AccessTime),
        ModifyTime = Time(stat.ModifyTime),
        ChangeTime = Time(stat.ChangeTime),
        SymlinkTarget = symlinkTarget,
        Rdev = DeviceNumber.Make(stat.RdevMajor, stat.RdevMinor),
    };

    private static DateTimeOffset Time(LibC.StatxTimestamp t)
    {
        long seconds = Math.Clamp(t.Seconds, -62135596800L, 253402300799L);
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(t.Nanoseconds / 100);
    }

    public static LibC.Timespec[] Times(DateTimeOffset? access, DateTimeOffset? modify) => [Timespec(access), Timespec(modify)];

    private static LibC.Timespec Timespec(DateTimeOffset? time)
    {
        if (time is not { } t) return new LibC.Timespec { Nanoseconds = LibC.UTIME_OMIT };
        long ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest);
        if (rest < 0)
        {
            seconds--;
            rest += TimeSpan.TicksPerSecond;
        }
        return new LibC.Timespec { Seconds = seconds, Nanoseconds = rest * 100 };
    }
}
