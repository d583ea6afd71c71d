using System.Text;
using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// A file, directory or symlink of a <see cref="LocalFileSystem"/>, held as its place below the root (never as a
/// descriptor: the server does not say when a node is forgotten). Each operation opens the parent directory beneath
/// the root and acts on one name with an *at call, or opens the node itself beneath the root.
/// </summary>
public sealed partial class LocalNode : INode
{
    private readonly LocalFileSystem _fs;
    private readonly Lock _sync = new();
    private Qid _qid;
    private uint _type;
    private LibC.Statx? _fresh;
    private bool _createdSymlink;
    private SafeFileHandle? _createdFile;
    private List<LocalOpenFile>? _openFiles;

    internal LocalNode(LocalFileSystem fs, LocalNode? parent, string name, in LibC.Statx stat, bool keepStat = false)
    {
        _fs = fs;
        _parent = parent;
        _name = name;
        _qid = fs.QidOf(stat);
        _type = stat.Mode & UnixMode.TypeMask;
        if (keepStat) _fresh = stat;
    }

    /// <summary>Keeps the qid and file type of the latest stat.</summary>
    private void Refresh(in LibC.Statx stat)
    {
        var qid = _fs.QidOf(stat);
        lock (_sync)
        {
            _qid = qid;
            _type = stat.Mode & UnixMode.TypeMask;
        }
    }

    /// <summary>
    /// stat from the kernel's caches on the caller's thread (the node reopened O_PATH by a cached lookup, then statx of
    /// that descriptor, which a local file system answers from the inode in memory); false if that would wait.
    /// </summary>
    internal bool TryStatCached(out LibC.Statx stat)
    {
        stat = default;
        string path;
        try
        {
            path = RelativePath;
        }
        catch (StyxErrorException)
        {
            return false;
        }
        if (_fs.Root.TryOpenCached(path, LibC.O_PATH) is not { } node) return false;
        using (node)
        {
            if (LibC.statx(node.Value, "", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out stat) < 0) return false;
        }
        Refresh(stat);
        return true;
    }

    public Qid Qid
    {
        get { lock (_sync) return _qid; }
    }

    internal LibC.Statx Stat()
    {
        string path = RelativePath;
        LibC.Statx stat;
        if (path.Length == 0)
        {
            stat = _fs.Root.StatRoot();
        }
        else
        {
            using var directory = _fs.Root.OpenDirectory(LocalNames.Parent(path));
            Fd.Check(LibC.statx(directory.Value, LocalNames.Name(path), LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out stat));
        }
        Refresh(stat);
        return stat;
    }

    public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        LibC.Statx? fresh;
        lock (_sync)
        {
            fresh = _fresh;
            _fresh = null;
        }
        // A symlink's target is read from its data, which may not be in memory.
        if (fresh is { } known && !IsSymlink(known)) return ValueTask.FromResult(Attributes(known, ""));
        if (fresh is null && TryStatCached(out var cached) && !IsSymlink(cached)) return ValueTask.FromResult(Attributes(cached, ""));
        return Blocking.Run(() =>
        {
            var stat = fresh ?? StatPathOrOpen();
            return Attributes(stat, IsSymlink(stat) ? ReadLink(RelativePath) : "");
        }, cancellationToken);
    }

    private static bool IsSymlink(in LibC.Statx stat) => (stat.Mode & UnixMode.TypeMask) == UnixMode.Symlink;

    private NodeAttributes Attributes(in LibC.Statx stat, string target)
    {
        string name;
        lock (_fs.TreeLock) name = _parent is null && !_removed ? "/" : _name;
        return LocalAttributes.From(stat, _fs.QidOf(stat), name, target);
    }

    /// <summary>Stat by path; once the path is gone (unlinked while open), through an open descriptor.</summary>
    private LibC.Statx StatPathOrOpen()
    {
        try
        {
            return Stat();
        }
        catch (StyxErrorException e) when (e.Errno == Errno.ENOENT && StatOpen() is { } open)
        {
            return open;
        }
    }

    /// <summary>statx through a descriptor the node has open (it still works once the file is unlinked); null if none.</summary>
    internal void Opened(LocalOpenFile file)
    {
        lock (_sync) (_openFiles ??= []).Add(file);
    }

    internal void Closed(LocalOpenFile file)
    {
        lock (_sync) _openFiles?.Remove(file);
    }

    private LocalOpenFile[] OpenFiles()
    {
        lock (_sync) return _openFiles is null ? [] : [.. _openFiles];
    }

    private LibC.Statx? StatOpen()
    {
        foreach (var file in OpenFiles())
        {
            try
            {
                if (LibC.statx(file.Handle, "", LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var stat) == 0) return stat;
            }
            catch (ObjectDisposedException)
            {
                // closed meanwhile: try the next one, or the path
            }
        }
        return null;
    }

    public ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        _fs.RequireWritable();
        return Blocking.Run(() => SetAttributes(changes), cancellationToken);
    }

    private void SetAttributes(AttributeChanges changes)
    {
        if (changes.Gid is null && changes.GroupName is { } group)
            changes = changes with { Gid = OsNames.GroupId(group) ?? throw new StyxErrorException(Errno.EINVAL, $"no group '{group}'") };
        if (changes.Uid is not null || changes.Gid is not null)
            AtName(RelativePath, (fd, name) => LibC.fchownat(fd, name, changes.Uid ?? uint.MaxValue, changes.Gid ?? uint.MaxValue, LibC.AT_SYMLINK_NOFOLLOW));
        if (changes.Permissions is { } permissions) Chmod(RelativePath, permissions & UnixMode.PermissionMask);
        if (changes.Size is { } size)
        {
            if (size > long.MaxValue) throw new StyxErrorException(Errno.EFBIG);
            try
            {
                using var file = _fs.Root.Open(RelativePath, LibC.O_WRONLY | LibC.O_NONBLOCK);
                Fd.Check(LibC.ftruncate(file.Value, (long)size));
            }
            catch (StyxErrorException e) when (e.Errno == Errno.ENOENT && TruncateOpen((long)size))
            {
                // unlinked while open: truncated through the open descriptor
            }
        }
        if (changes.AccessTime is not null || changes.ModifyTime is not null)
        {
            var times = LocalAttributes.Times(changes.AccessTime, changes.ModifyTime);
            AtName(RelativePath, (fd, name) => LibC.utimensat(fd, name, times, LibC.AT_SYMLINK_NOFOLLOW));
        }
        Refresh(StatPathOrOpen());
    }

    /// <summary>ftruncate through a descriptor the node has open for writing (ftruncate of an open, maybe unlinked, file).</summary>
    private bool TruncateOpen(long size)
    {
        foreach (var file in OpenFiles())
        {
            if (!file.CanWrite) continue;
            try
            {
                Fd.Check(LibC.ftruncate(file.Handle, size));
                return true;
            }
            catch (ObjectDisposedException)
            {
            }
        }
        return false;
    }

    /// <summary>Linux before 6.6 has no chmod that refuses symlinks: chmod what an O_PATH|O_NOFOLLOW descriptor holds.</summary>
    private void Chmod(string path, uint permissions)
    {
        using var node = _fs.Root.Open(path, LibC.O_PATH);
        Chmod(node, permissions);
    }

    /// <summary>chmod of what an O_PATH|O_NOFOLLOW descriptor holds; symlinks are refused.</summary>
    private static void Chmod(Fd node, uint permissions)
    {
        Fd.Check(LibC.statx(node.Value, "", LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var stat));
        if ((stat.Mode & UnixMode.TypeMask) == UnixMode.Symlink) throw new StyxErrorException(Errno.EOPNOTSUPP, "symlinks have no mode");
        Fd.Check(LibC.fchmodat(LibC.AT_FDCWD, $"/proc/self/fd/{node.Value}", permissions, 0));
    }

    /// <summary>Runs an *at call on the node's name in its parent directory ("." in the root for the root).</summary>
    private void AtName(string path, Func<int, string, int> call)
    {
        using var directory = _fs.Root.OpenDirectory(LocalNames.Parent(path));
        Fd.Check(call(directory.Value, path.Length == 0 ? "." : LocalNames.Name(path)));
    }

    public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        if (options.CanWrite || options.Truncate) _fs.RequireWritable();
        int flags = options.Access switch
        {
            OpenAccess.Write => LibC.O_WRONLY,
            OpenAccess.ReadWrite => LibC.O_RDWR,
            _ => LibC.O_RDONLY,
        };
        if (options.Truncate && options.CanWrite) flags |= LibC.O_TRUNC;
        if (options.Append) flags |= LibC.O_APPEND;
        // 9P2000(.u) Tcreate opens what it created; a new symlink is "opened" as an O_PATH descriptor that does no I/O.
        bool createdSymlink;
        SafeFileHandle? created;
        lock (_sync)
        {
            (createdSymlink, _createdSymlink) = (_createdSymlink, false);
            (created, _createdFile) = (_createdFile, null);
        }
        if (created is not null) return ValueTask.FromResult<IOpenFile>(OpenCreated(this, created, options));
        if (createdSymlink)
            return Blocking.Run<IOpenFile>(() => new LocalOpenFile(this, new SafeFileHandle(_fs.Root.Open(RelativePath, LibC.O_PATH).Value, true), options), cancellationToken);
        // O_NONBLOCK so that opening a fifo never waits for its other end; cleared again below.
        flags |= LibC.O_NOCTTY | LibC.O_NONBLOCK;
        if (flags == (LibC.O_RDONLY | LibC.O_NOCTTY | LibC.O_NONBLOCK) && TryOpenCached(flags, options) is { } cached)
            return ValueTask.FromResult<IOpenFile>(cached);
        return Blocking.Run<IOpenFile>(() => Opened(_fs.Root.Open(RelativePath, flags), options, closeInline: false), cancellationToken);
    }

    /// <summary>
    /// A read-only open from the caches, for a node last seen as a regular file or directory (opening a device runs its
    /// driver); null if it would wait.
    /// </summary>
    private LocalOpenFile? TryOpenCached(int flags, OpenOptions options)
    {
        uint type;
        lock (_sync) type = _type;
        if (type is not (UnixMode.Regular or UnixMode.Directory)) return null;
        string path;
        try
        {
            path = RelativePath;
        }
        catch (StyxErrorException)
        {
            return null;
        }
        return _fs.Root.TryOpenCached(path, flags) is { } fd ? Opened(fd, options, closeInline: true) : null;
    }

    private LocalOpenFile Opened(Fd fd, OpenOptions options, bool closeInline)
    {
        var handle = new SafeFileHandle(fd.Value, ownsHandle: true);
        if (LibC.fcntl(handle, LibC.F_SETFL, options.Append ? LibC.O_APPEND : 0) < 0)
        {
            var error = Fd.LastError();
            handle.Dispose();
            throw error;
        }
        return new LocalOpenFile(this, handle, options, closeInline);
    }

    /// <summary>
    /// The open that follows Tcreate/Tlcreate gets the descriptor the create made (read-write), so a file created
    /// with a mode that forbids writing can still be written by its creator, as open(O_CREAT) allows.
    /// </summary>
    private static LocalOpenFile OpenCreated(LocalNode node, SafeFileHandle created, OpenOptions options)
    {
        if (options.Append && LibC.fcntl(created, LibC.F_SETFL, LibC.O_APPEND) < 0)
        {
            var error = Fd.LastError();
            created.Dispose();
            throw error;
        }
        return new LocalOpenFile(node, created, options);
    }

    public ValueTask RemoveAsync(CancellationToken cancellationToken)
    {
        _fs.RequireWritable();
        return Blocking.Run(Remove, cancellationToken);
    }

    private void Remove()
    {
        string path = RelativePath;
        if (path.Length == 0) throw new StyxErrorException(Errno.EBUSY, "the export root cannot be removed");
        using var directory = _fs.Root.OpenDirectory(LocalNames.Parent(path));
        string name = LocalNames.Name(path);
        int flags = Qid.IsDirectory ? LibC.AT_REMOVEDIR : 0;
        if (LibC.unlinkat(directory.Value, name, flags) < 0)
        {
            // The node changed type since it was looked up: try the other kind once.
            if (Fd.LastErrno is not (Errno.EISDIR or Errno.ENOTDIR)) throw Fd.LastError();
            Fd.Check(LibC.unlinkat(directory.Value, name, flags ^ LibC.AT_REMOVEDIR));
        }
        Removed();
    }

    public ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        _fs.RequireWritable();
        LocalNames.Check(newName);
        return Blocking.Run(() => Rename(newParent, newName), cancellationToken);
    }

    private void Rename(INode? newParent, string newName)
    {
        string path = RelativePath;
        if (path.Length == 0) throw new StyxErrorException(Errno.EBUSY, "the export root cannot be renamed");
        string target = newParent switch
        {
            null => LocalNames.Parent(path),
            LocalNode node when node._fs == _fs => node.RelativePath,
            _ => throw new StyxErrorException(Errno.EXDEV),
        };
        using (var from = _fs.Root.OpenDirectory(LocalNames.Parent(path)))
        using (var to = _fs.Root.OpenDirectory(target))
        {
            Fd.Check(LibC.renameat(from.Value, LocalNames.Name(path), to.Value, newName));
        }
        Moved(newParent as LocalNode ?? _parent, newName);
    }

    public ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken)
    {
        string path = RelativePath;
        if (path.Length == 0) throw new StyxErrorException(Errno.EINVAL);
        return Blocking.Run(() => ReadLink(path), cancellationToken);
    }

    private string ReadLink(string path)
    {
        using var directory = _fs.Root.OpenDirectory(LocalNames.Parent(path));
        var buffer = new byte[4096];
        nint length = LibC.readlinkat(directory.Value, LocalNames.Name(path), buffer, (nuint)buffer.Length);
        if (length < 0) throw Fd.LastError();
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    public ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        Blocking.Run(StatFileSystem, cancellationToken);

    private FileSystemStatistics StatFileSystem()
    {
        using var node = _fs.Root.Open(RelativePath, LibC.O_PATH);
        Fd.Check(LibC.fstatfs(node.Value, out var s));
        ulong fsid = (uint)s.FsId0 | (ulong)(uint)s.FsId1 << 32;
        return new FileSystemStatistics((uint)s.Type, (uint)s.BlockSize, s.Blocks, s.BlocksFree,
            s.BlocksAvailable, s.Files, s.FilesFree, fsid, (uint)s.NameLength);
    }
}
