namespace Cheshire.Styx.Protocol;

/// <summary>Fixed numbers of the protocol.</summary>
public static class StyxConstants
{
    /// <summary>The tag of Tversion/Rversion.</summary>
    public const ushort NoTag = 0xFFFF;
    /// <summary>"No fid", used as afid when there is no authentication.</summary>
    public const uint NoFid = 0xFFFFFFFF;
    /// <summary>The most names one Twalk may carry.</summary>
    public const int MaxWalkElements = 16;
    /// <summary>size[4] type[1] tag[2].</summary>
    public const int HeaderSize = 7;
    /// <summary>Room a Tread/Twrite/Rread needs besides its data (P9_IOHDRSZ).</summary>
    public const int IoHeaderSize = 24;
    /// <summary>Header of Rread: size[4] type[1] tag[2] count[4].</summary>
    public const int ReadReplyHeaderSize = 11;
    /// <summary>Smallest msize this implementation accepts.</summary>
    public const uint MinMessageSize = 256;
    /// <summary>Default server msize (512 KiB of data plus headers).</summary>
    public const uint DefaultMessageSize = 512 * 1024 + IoHeaderSize;
}

/// <summary>9P2000 open mode byte (Topen/Tcreate).</summary>
[Flags]
public enum StyxOpenMode : byte
{
    Read = 0,
    Write = 1,
    ReadWrite = 2,
    Execute = 3,
    Truncate = 0x10,
    RemoveOnClose = 0x40,
}

/// <summary>9P2000 stat mode bits above the permission bits.</summary>
public static class StyxMode
{
    public const uint Directory = 0x80000000;
    public const uint Append = 0x40000000;
    public const uint Exclusive = 0x20000000;
    public const uint Mount = 0x10000000;
    public const uint Auth = 0x08000000;
    public const uint Temporary = 0x04000000;
    public const uint Symlink = 0x02000000;
    /// <summary>9P2000.u: Tcreate makes a hard link to the fid named in the extension.</summary>
    public const uint Link = 0x01000000;
    public const uint Device = 0x00800000;
    public const uint NamedPipe = 0x00200000;
    public const uint Socket = 0x00100000;
    public const uint SetUid = 0x00080000;
    public const uint SetGid = 0x00040000;
    public const uint PermissionMask = 0x1FF;
}

/// <summary>Linux open flags carried by Tlopen/Tlcreate (P9_DOTL_*).</summary>
public static class LinuxOpenFlags
{
    public const uint AccessMask = 3;
    public const uint ReadOnly = 0;
    public const uint WriteOnly = 1;
    public const uint ReadWrite = 2;
    public const uint Create = 0x40;
    public const uint Exclusive = 0x80;
    public const uint Truncate = 0x200;
    public const uint Append = 0x400;
    public const uint Directory = 0x10000;
}

/// <summary>Unix file mode bits (st_mode).</summary>
public static class UnixMode
{
    public const uint TypeMask = 0xF000;
    public const uint Socket = 0xC000;
    public const uint Symlink = 0xA000;
    public const uint Regular = 0x8000;
    public const uint BlockDevice = 0x6000;
    public const uint Directory = 0x4000;
    public const uint CharDevice = 0x2000;
    public const uint Fifo = 0x1000;
    public const uint PermissionMask = 0xFFF;
}
