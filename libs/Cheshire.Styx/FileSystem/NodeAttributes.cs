using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem;

/// <summary>Everything stat (9P2000/.u) and getattr (.L) report about a node. Mode is a Unix st_mode.</summary>
public sealed record NodeAttributes
{
    public required Qid Qid { get; init; }
    public required string Name { get; init; }
    /// <summary>Unix mode: type bits (<see cref="UnixMode"/>) | permission bits.</summary>
    public required uint Mode { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public string UserName { get; init; } = "none";
    public string GroupName { get; init; } = "none";
    public string ModifiedBy { get; init; } = "none";
    public ulong LinkCount { get; init; } = 1;
    public ulong Size { get; init; }
    public DateTimeOffset AccessTime { get; init; }
    public DateTimeOffset ModifyTime { get; init; }
    public DateTimeOffset ChangeTime { get; init; }
    public string SymlinkTarget { get; init; } = "";
    /// <summary>Device number of a character or block device node (glibc makedev encoding, see <see cref="DeviceNumber"/>).</summary>
    public ulong Rdev { get; init; }

    public bool IsDirectory => (Mode & UnixMode.TypeMask) == UnixMode.Directory;
}

/// <summary>Changes requested by wstat/setattr; null fields stay as they are.</summary>
public sealed record AttributeChanges
{
    /// <summary>New permission bits (type bits are ignored).</summary>
    public uint? Permissions { get; init; }
    public uint? Uid { get; init; }
    public uint? Gid { get; init; }
    public string? GroupName { get; init; }
    public ulong? Size { get; init; }
    public DateTimeOffset? AccessTime { get; init; }
    public DateTimeOffset? ModifyTime { get; init; }
    /// <summary>The user making the change (recorded as muid by trees that track it).</summary>
    public string? ChangedBy { get; init; }
    /// <summary>
    /// The times are "now" chosen by the server (utimes(NULL), UTIME_NOW): POSIX lets the owner or anyone who may
    /// write set those, while explicit times need the owner.
    /// </summary>
    public bool TimesAreNow { get; init; }
    /// <summary>Made through a fid open for writing (ftruncate): write permission was checked when it was opened.</summary>
    public bool ThroughWritableHandle { get; init; }

    public bool IsEmpty => Permissions is null && Uid is null && Gid is null && GroupName is null && Size is null &&
        AccessTime is null && ModifyTime is null;
}

public enum OpenAccess { Read, Write, ReadWrite, Execute }

/// <summary>How a file is opened, unified from Topen mode and Tlopen flags.</summary>
public sealed record OpenOptions(OpenAccess Access, bool Truncate = false, bool Append = false, string? User = null)
{
    public bool CanRead => Access is OpenAccess.Read or OpenAccess.ReadWrite or OpenAccess.Execute;
    public bool CanWrite => Access is OpenAccess.Write or OpenAccess.ReadWrite;
}

/// <summary>A creation request: Unix mode with type bits (regular, directory, symlink), owner, target for symlinks.</summary>
public sealed record CreateOptions(uint Mode, uint Uid, uint Gid, string UserName, string? SymlinkTarget = null)
{
    public uint FileType => Mode & UnixMode.TypeMask;

    /// <summary>Device number of a character or block device (Tmknod).</summary>
    public uint DeviceMajor { get; init; }
    public uint DeviceMinor { get; init; }
}

/// <summary>dev_t as glibc's makedev encodes it (what Rgetattr's rdev carries).</summary>
public static class DeviceNumber
{
    public static ulong Make(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);

    public static uint Major(ulong rdev) => (uint)(((rdev >> 32) & 0xFFFFF000) | ((rdev >> 8) & 0xFFF));

    public static uint Minor(ulong rdev) => (uint)(((rdev >> 12) & 0xFFFFFF00) | (rdev & 0xFF));
}
