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
        if (keepStat) _fresh = stat;
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
        var qid = _fs.QidOf(stat);
        lock (_sync) _qid = qid;
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
        var stat = fresh ?? StatPathOrOpen();
        string target = (stat.Mode & UnixMode.TypeMask) == UnixMode.Symlink ? ReadLink(RelativePath) : "";
        string name;
        lock (_fs.TreeLock) name = _parent is null && !_removed ? "/" : _name;
        return ValueTask.FromResult(LocalAttributes.From(stat, _fs.QidOf(stat), name, target));
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
        var stat = StatPathOrOpen();
        lock (_sync) _qid = _fs.QidOf(stat);
        return ValueTask.CompletedTask;
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
            return ValueTask.FromResult<IOpenFile>(new LocalOpenFile(this, new SafeFileHandle(_fs.Root.Open(RelativePath, LibC.O_PATH).Value, true), options));
        // O_NONBLOCK so that opening a fifo never waits for its other end; cleared again below.
        var fd = _fs.Root.Open(RelativePath, flags | LibC.O_NOCTTY | LibC.O_NONBLOCK);
        var handle = new SafeFileHandle(fd.Value, ownsHandle: true);
        if (LibC.fcntl(handle, LibC.F_SETFL, options.Append ? LibC.O_APPEND : 0) < 0)
        {
            var error = Fd.LastError();
            handle.Dispose();
            throw error;
        }
        return ValueTask.FromResult<IOpenFile>(new LocalOpenFile(this, handle, options));
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
        return ValueTask.CompletedTask;
    }

    public ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        _fs.RequireWritable();
        LocalNames.Check(newName);
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
        return ValueTask.CompletedTask;
    }

    public ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken)
    {
        string path = RelativePath;
        if (path.Length == 0) throw new StyxErrorException(Errno.EINVAL);
        return ValueTask.FromResult(ReadLink(path));
    }

    private string ReadLink(string path)
    {
        using var directory = _fs.Root.OpenDirectory(LocalNames.Parent(path));
        var buffer = new byte[4096];
        nint length = LibC.readlinkat(directory.Value, LocalNames.Name(path), buffer, (nuint)buffer.Length);
        if (length < 0) throw Fd.LastError();
        return Encoding.UTF8.GetString(buffer, 0, (int)length);
    }

    public ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken)
    {
        using var node = _fs.Root.Open(RelativePath, LibC.O_PATH);
        Fd.Check(LibC.fstatfs(node.Value, out var s));
        ulong fsid = (uint)s.FsId0 | (ulong)(uint)s.FsId1 << 32;
        return ValueTask.FromResult(new FileSystemStatistics((uint)s.Type, (uint)s.BlockSize, s.Blocks, s.BlocksFree,
            s.BlocksAvailable, s.Files, s.FilesFree, fsid, (uint)s.NameLength));
    }
}
