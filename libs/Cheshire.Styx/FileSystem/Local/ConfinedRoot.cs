using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// The export root as an O_PATH descriptor, and the only way to reach anything below it: the kernel resolves every
/// relative path beneath the root with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS), or,
/// where openat2 is missing, one openat(O_NOFOLLOW) per component. No symlink is ever followed, so no path can leave
/// the root even while components are swapped underneath; the final component is never followed either.
/// </summary>
internal sealed class ConfinedRoot : IDisposable
{
    private const ulong Resolve = LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS;

    /// <summary>The same confinement, answered from the dentry cache only (EAGAIN otherwise), never leaving the root's mount.</summary>
    private const ulong ResolveCached = Resolve | LibC.RESOLVE_CACHED | LibC.RESOLVE_NO_XDEV;

    /// <summary>
    /// statfs f_type of file systems whose inodes, once in the dentry cache, are stat'ed and opened read-only without
    /// waiting (no server to ask): ext2/3/4, xfs, btrfs, tmpfs, ramfs, overlayfs, f2fs, bcachefs.
    /// </summary>
    private static readonly long[] CachedSafeTypes =
        [0xEF53, 0x58465342, 0x9123683E, 0x01021994, 0x858458F6, 0x794C7630, 0xF2F52010, 0xCA451A4E];
    private readonly SafeFileHandle _root;

    public ConfinedRoot(string path, bool useOpenat2)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("a local export needs Linux");
        int fd = LibC.openat(LibC.AT_FDCWD, path, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            var errno = Fd.LastErrno;
            string message = $"cannot export '{path}': {ErrnoText.Of(errno)}";
            throw errno is Errno.ENOENT or Errno.ENOTDIR ? new DirectoryNotFoundException(message) : new IOException(message);
        }
        _root = new SafeFileHandle(fd, ownsHandle: true);
        UsesOpenat2 = useOpenat2 && ProbeOpenat2();
        CanTryCached = UsesOpenat2 && ProbeCached() && OnCachedSafeFileSystem();
    }

    /// <summary>A root already open (owned from now on): it must be a directory.</summary>
    public ConfinedRoot(SafeFileHandle root, bool useOpenat2)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("a local export needs Linux");
        _root = root;
        if (LibC.statx(root, "", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) < 0)
            throw new IOException($"cannot export descriptor {root.DangerousGetHandle()}: {ErrnoText.Of(Fd.LastErrno)}");
        if ((stat.Mode & UnixMode.TypeMask) != UnixMode.Directory)
            throw new IOException($"cannot export descriptor {root.DangerousGetHandle()}: it is not a directory");
        UsesOpenat2 = useOpenat2 && ProbeOpenat2();
        CanTryCached = UsesOpenat2 && ProbeCached() && OnCachedSafeFileSystem();
    }

    /// <summary>
    /// Whether <see cref="TryOpenCached"/> may be tried: openat2 knows RESOLVE_CACHED (Linux 5.12+) and the root is on a
    /// local file system. False: every lookup and open is a call that may block.
    /// </summary>
    public bool CanTryCached { get; }

    /// <summary>
    /// Opens <paramref name="relativePath"/> like <see cref="Open"/>, but only if the kernel can do it from its caches
    /// without waiting and without crossing into another mount; null otherwise, or on any error (the caller then does
    /// the blocking <see cref="Open"/> off the socket's thread, which also gives the error the client should see).
    /// Flags that make an open block or write (O_CREAT, O_TRUNC, write access) are refused by the kernel too.
    /// </summary>
    public Fd? TryOpenCached(string relativePath, int flags)
    {
        if (!CanTryCached) return null;
        CheckPath(relativePath);
        using var lease = Lease();
        var how = new LibC.OpenHow { Flags = (ulong)(flags | LibC.O_NOFOLLOW | LibC.O_CLOEXEC), Resolve = ResolveCached };
        long fd = LibC.openat2(LibC.SYS_openat2, lease.Fd, relativePath.Length == 0 ? "." : relativePath, ref how, 24);
        return fd >= 0 ? new Fd((int)fd) : null;
    }

    /// <summary>False when the kernel (or a seccomp filter) refuses openat2 and components are opened one by one.</summary>
    public bool UsesOpenat2 { get; }

    /// <summary>
    /// Opens <paramref name="relativePath"/> ("" is the root; components never "", "." or "..") with
    /// <paramref name="flags"/>, never following a symlink on the way or at the end.
    /// </summary>
    public Fd Open(string relativePath, int flags, uint mode = 0)
    {
        CheckPath(relativePath);
        flags |= LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
        using var lease = Lease();
        return UsesOpenat2 ? OpenBeneath(lease.Fd, relativePath, flags, mode) : OpenByComponents(lease.Fd, relativePath, flags, mode);
    }

    /// <summary>An O_PATH descriptor of the directory <paramref name="relativePath"/>, to act on one name in it with an *at call.</summary>
    public Fd OpenDirectory(string relativePath) => Open(relativePath, LibC.O_PATH | LibC.O_DIRECTORY);

    private static Fd OpenBeneath(int root, string relativePath, int flags, uint mode)
    {
        var how = new LibC.OpenHow { Flags = (ulong)flags, Mode = mode, Resolve = Resolve };
        string path = relativePath.Length == 0 ? "." : relativePath;
        for (int attempt = 0; ; attempt++)
        {
            long fd = LibC.openat2(LibC.SYS_openat2, root, path, ref how, 24);
            if (fd >= 0) return new Fd((int)fd);
            // EAGAIN: a concurrent rename disturbed the lookup; the kernel asks to retry.
            if (Fd.LastErrno is not (Errno.EINTR or Errno.EAGAIN) || attempt >= 16) throw Fd.LastError();
        }
    }

    private static Fd OpenByComponents(int root, string relativePath, int flags, uint mode)
    {
        if (relativePath.Length == 0) return Fd.Checked(LibC.openat(root, ".", flags, mode));
        var names = relativePath.Split('/');
        var directory = new Fd(-1);
        try
        {
            for (int i = 0; i < names.Length - 1; i++)
            {
                var next = Fd.Checked(LibC.openat(i == 0 ? root : directory.Value, names[i],
                    LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0));
                directory.Dispose();
                directory = next;
            }
            return Fd.Checked(LibC.openat(names.Length == 1 ? root : directory.Value, names[^1], flags, mode));
        }
        finally
        {
            directory.Dispose();
        }
    }

    private static void CheckPath(string relativePath)
    {
        if (relativePath.Length == 0) return;
        foreach (var name in relativePath.Split('/')) LocalNames.Check(name);
    }

    /// <summary>statx of the root itself.</summary>
    public LibC.Statx StatRoot()
    {
        using var lease = Lease();
        Fd.Check(LibC.statx(lease.Fd, "", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat));
        return stat;
    }

    private bool ProbeOpenat2()
    {
        using var lease = Lease();
        var how = new LibC.OpenHow { Flags = (ulong)(LibC.O_PATH | LibC.O_CLOEXEC), Resolve = Resolve };
        long fd = LibC.openat2(LibC.SYS_openat2, lease.Fd, ".", ref how, 24);
        if (fd < 0) return false; // ENOSYS before Linux 5.6; EPERM from some seccomp filters
        LibC.close((int)fd);
        return true;
    }

    /// <summary>EINVAL before Linux 5.12 (no RESOLVE_CACHED); EAGAIN means it is known but "." was not cached.</summary>
    private bool ProbeCached()
    {
        using var lease = Lease();
        var how = new LibC.OpenHow { Flags = (ulong)(LibC.O_PATH | LibC.O_CLOEXEC), Resolve = ResolveCached };
        long fd = LibC.openat2(LibC.SYS_openat2, lease.Fd, ".", ref how, 24);
        if (fd < 0) return Fd.LastErrno == Errno.EAGAIN;
        LibC.close((int)fd);
        return true;
    }

    private bool OnCachedSafeFileSystem()
    {
        using var lease = Lease();
        return LibC.fstatfs(lease.Fd, out var statfs) == 0 && CachedSafeTypes.Contains(statfs.Type);
    }

    /// <summary>Keeps the root descriptor open while a call uses its number (a dispose waits for it).</summary>
    private RootLease Lease()
    {
        bool added = false;
        try
        {
            _root.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw new StyxErrorException(Errno.EIO, "the export is closed");
        }
        return new RootLease(_root, (int)_root.DangerousGetHandle());
    }

    private readonly struct RootLease(SafeFileHandle handle, int fd) : IDisposable
    {
        public int Fd { get; } = fd;
        public void Dispose() => handle.DangerousRelease();
    }

    public void Dispose() => _root.Dispose();
}
