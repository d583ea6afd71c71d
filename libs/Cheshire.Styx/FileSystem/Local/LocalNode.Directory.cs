using System.Runtime.CompilerServices;
using System.Text;
using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>Directory operations: lookup, streaming listing over getdents64, create, hard link.</summary>
public sealed partial class LocalNode
{
    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        LocalNames.Check(name);
        string path = RelativePath;
        string childPath = path.Length == 0 ? name : path + "/" + name;
        if (_fs.Root.TryOpenCached(childPath, LibC.O_PATH) is { } cached)
        {
            using (cached)
            {
                if (LibC.statx(cached.Value, "", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) == 0)
                    return ValueTask.FromResult<INode>(Intern(name, stat));
            }
        }
        return Blocking.Run<INode>(() =>
        {
            using var directory = _fs.Root.OpenDirectory(path);
            return Child(directory, name) ?? throw Fd.LastError();
        }, cancellationToken);
    }

    /// <summary>The node of <paramref name="name"/> in this directory, open as <paramref name="directory"/>; null (errno set) if it cannot be stat'ed.</summary>
    private LocalNode? Child(Fd directory, string name) =>
        LibC.statx(directory.Value, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) == 0
            ? Intern(name, stat)
            : null;

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var entries = new List<DirectoryEntry>();
        await foreach (var entry in EnumerateAsync(cancellationToken)) entries.Add(entry);
        return entries;
    }

    /// <summary>
    /// Reads the directory through one descriptor, a getdents64 buffer at a time (each, with the statx of its names, on
    /// the thread pool: a directory not in memory is read from disk); the descriptor closes with the enumerator.
    /// </summary>
    public async IAsyncEnumerable<DirectoryEntry> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = RelativePath;
        var directory = await Task.Run(() => _fs.Root.Open(path, LibC.O_RDONLY | LibC.O_DIRECTORY), cancellationToken);
        try
        {
            var buffer = new byte[32 * 1024];
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = await Task.Run(() => ReadEntries(directory, buffer), cancellationToken);
                if (batch.Count == 0) yield break;
                // Entries are not interned: the server only reads their qid and attributes.
                foreach (var (name, stat) in batch) yield return new DirectoryEntry(name, new LocalNode(_fs, this, name, stat, keepStat: true));
            }
        }
        finally
        {
            directory.Dispose();
        }
    }

    /// <summary>One getdents64 buffer's names with their stat; empty at the end (a buffer of only removed names reads on).</summary>
    private static List<(string Name, LibC.Statx Stat)> ReadEntries(Fd directory, byte[] buffer)
    {
        var names = new List<string>();
        var entries = new List<(string, LibC.Statx)>();
        while (entries.Count == 0)
        {
            nint length = LibC.getdents64(directory.Value, buffer, (nuint)buffer.Length);
            if (length < 0) throw Fd.LastError();
            if (length == 0) break;
            ParseDirents(buffer.AsSpan(0, (int)length), names);
            foreach (var name in names)
            {
                // An entry removed since getdents64 returned it is skipped.
                if (LibC.statx(directory.Value, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) == 0)
                    entries.Add((name, stat));
            }
        }
        return entries;
    }

    /// <summary>struct linux_dirent64: d_ino[8] d_off[8] d_reclen[2] d_type[1] d_name (NUL-terminated).</summary>
    private static void ParseDirents(ReadOnlySpan<byte> data, List<string> names)
    {
        names.Clear();
        while (data.Length >= 19)
        {
            int recordLength = BitConverter.ToUInt16(data[16..18]);
            if (recordLength < 19 || recordLength > data.Length) break;
            var raw = data[19..recordLength];
            int end = raw.IndexOf((byte)0);
            var name = raw[..(end < 0 ? raw.Length : end)];
            if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))) names.Add(Encoding.UTF8.GetString(name));
            data = data[recordLength..];
        }
    }

    public ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken)
    {
        _fs.RequireWritable();
        LocalNames.Check(name);
        return Blocking.Run(() => Create(name, options), cancellationToken);
    }

    private INode Create(string name, CreateOptions options)
    {
        string path = RelativePath;
        uint permissions = options.Mode & UnixMode.PermissionMask;
        using var directory = _fs.Root.OpenDirectory(path);
        SafeFileHandle? file = null;
        switch (options.FileType)
        {
            case UnixMode.Regular or 0:
                file = new SafeFileHandle(Fd.Checked(LibC.openat(directory.Value, name,
                    LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, permissions)).Value, ownsHandle: true);
                break;
            case UnixMode.Directory:
                Fd.Check(LibC.mkdirat(directory.Value, name, permissions));
                break;
            case UnixMode.Symlink:
                if (string.IsNullOrEmpty(options.SymlinkTarget) || options.SymlinkTarget.Contains('\0'))
                    throw new StyxErrorException(Errno.ENOENT, "a symlink needs a target");
                Fd.Check(LibC.symlinkat(options.SymlinkTarget, directory.Value, name));
                break;
            case UnixMode.Fifo or UnixMode.Socket or UnixMode.CharDevice or UnixMode.BlockDevice:
                Fd.Check(LibC.mknodat(directory.Value, name, options.FileType | permissions,
                    DeviceNumber.Make(options.DeviceMajor, options.DeviceMinor)));
                break;
            default:
                throw new StyxErrorException(Errno.EINVAL, $"cannot create file type 0x{options.FileType:x}");
        }
        try
        {
            SettleOwnerAndMode(directory, name, options);
        }
        catch (StyxErrorException)
        {
            file?.Dispose();
            LibC.unlinkat(directory.Value, name, options.FileType == UnixMode.Directory ? LibC.AT_REMOVEDIR : 0);
            throw;
        }
        var node = Child(directory, name);
        if (node is null)
        {
            var error = Fd.LastError();
            file?.Dispose();
            throw error;
        }
        lock (node._sync)
        {
            node._createdSymlink = options.FileType == UnixMode.Symlink;
            node._createdFile = file;
        }
        return node;
    }

    /// <summary>
    /// Run as root, the server gives a new node to the attaching uid and the requested gid (as diod does); then sets
    /// the requested mode exactly (the client applied its umask already; ours must not apply twice, and chown clears
    /// setuid/setgid).
    /// </summary>
    private static void SettleOwnerAndMode(Fd directory, string name, CreateOptions options)
    {
        using var created = Fd.Checked(LibC.openat(directory.Value, name, LibC.O_PATH | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0));
        if (LibC.geteuid() == 0 && (options.Uid, options.Gid) != (0, 0) && options.Uid != uint.MaxValue)
            Fd.Check(LibC.fchownat(created.Value, "", options.Uid, options.Gid, LibC.AT_EMPTY_PATH));
        if (options.FileType != UnixMode.Symlink) Chmod(created, options.Mode & UnixMode.PermissionMask);
    }

    public ValueTask LinkAsync(INode target, string name, CancellationToken cancellationToken)
    {
        _fs.RequireWritable();
        LocalNames.Check(name);
        if (target is not LocalNode node || node._fs != _fs) throw new StyxErrorException(Errno.EXDEV);
        return Blocking.Run(() => Link(node, name), cancellationToken);
    }

    private void Link(LocalNode node, string name)
    {
        string targetPath = node.RelativePath;
        if (targetPath.Length == 0) throw new StyxErrorException(Errno.EPERM, "the export root cannot be linked");
        using var from = _fs.Root.OpenDirectory(LocalNames.Parent(targetPath));
        using var to = _fs.Root.OpenDirectory(RelativePath);
        // No AT_SYMLINK_FOLLOW: a symlink is linked as itself, never followed.
        Fd.Check(LibC.linkat(from.Value, LocalNames.Name(targetPath), to.Value, name, 0));
    }
}
