using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>The Linux calls the export needs. Every call sets errno for <see cref="Marshal.GetLastPInvokeError"/>.</summary>
internal static class LibC
{
    private const string Lib = "libc";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public const int O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_TRUNC = 0x200, O_APPEND = 0x400, O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    public const ulong RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08;
    public const ulong RESOLVE_CACHED = 0x20;
    public const int RWF_NOWAIT = 0x08;
    public const int AT_STATX_DONT_SYNC = 0x4000;
    public const long SYS_openat2 = 437;

    public const int F_SETFL = 4;
    public const uint STATX_BASIC_STATS = 0x7FF;
    public const long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;
    public const uint RENAME_EXCHANGE = 2;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Iovec
    {
        public nint Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int _reserved;
    }

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    public struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private readonly ushort _spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModifyTime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
    }

    /// <summary>struct statfs of 64-bit Linux (x86-64 and arm64 share it).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct StatFs
    {
        public long Type;
        public long BlockSize;
        public ulong Blocks;
        public ulong BlocksFree;
        public ulong BlocksAvailable;
        public ulong Files;
        public ulong FilesFree;
        public int FsId0;
        public int FsId1;
        public long NameLength;
        public long FragmentSize;
        public long Flags;
        private readonly long _spare0, _spare1, _spare2, _spare3;
    }

    [DllImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static extern long openat2(long number, long dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, ref OpenHow how, nuint size);

    [DllImport(Lib, SetLastError = true)]
    public static extern int openat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport(Lib, SetLastError = true)]
    public static extern int close(int fd);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fcntl(SafeFileHandle fd, int command, long argument);

    [DllImport(Lib, SetLastError = true)]
    public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Statx result);

    [DllImport(Lib, SetLastError = true)]
    public static extern int statx(SafeFileHandle fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out Statx result);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fstatfs(int fd, out StatFs result);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint getdents64(int fd, byte[] buffer, nuint count);

    [DllImport(Lib, SetLastError = true)]
    public static extern int mkdirat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport(Lib, SetLastError = true)]
    public static extern int mknodat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, ulong device);

    [DllImport(Lib, SetLastError = true)]
    public static extern int symlinkat([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint readlinkat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer, nuint size);

    [DllImport(Lib, SetLastError = true)]
    public static extern int unlinkat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int renameat(int oldDirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath,
        int newDirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    [DllImport(Lib, SetLastError = true)]
    public static extern int renameat2(int oldDirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath,
        int newDirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int linkat(int oldDirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath,
        int newDirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fchmodat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fchmod(int fd, uint mode);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fchownat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint uid, uint gid, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int utimensat(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, Timespec[] times, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern int ftruncate(int fd, long length);

    [DllImport(Lib, SetLastError = true)]
    public static extern int ftruncate(SafeFileHandle fd, long length);

    [DllImport(Lib, SetLastError = true)]
    public static extern int fsync(SafeFileHandle fd);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint pread(SafeFileHandle fd, ref byte buffer, nuint count, long offset);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint preadv2(SafeFileHandle fd, ref Iovec vector, int count, long offset, int flags);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint pwrite(SafeFileHandle fd, ref byte buffer, nuint count, long offset);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint read(SafeFileHandle fd, ref byte buffer, nuint count);

    [DllImport(Lib, SetLastError = true)]
    public static extern nint write(SafeFileHandle fd, ref byte buffer, nuint count);

    [DllImport(Lib)]
    public static extern uint geteuid();

    [DllImport(Lib, SetLastError = true)]
    public static extern IntPtr getpwuid(uint uid);

    [DllImport(Lib, SetLastError = true)]
    public static extern IntPtr getgrgid(uint gid);

    [DllImport(Lib, SetLastError = true)]
    public static extern IntPtr getgrnam([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
