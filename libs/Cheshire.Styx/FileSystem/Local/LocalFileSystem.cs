using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// A local directory served as a 9P tree (the "export" server kind). Operations run as this process's OS user and
/// return the OS's errno. Every path is resolved beneath the root by the kernel (<see cref="ConfinedRoot"/>), so
/// nothing outside the root is reachable, not even through symlinks swapped in while a request runs.
/// Every aname attaches to the root. Dispose closes the root descriptor; later calls fail with EIO.
/// </summary>
public sealed class LocalFileSystem : IFileSystem, IDisposable, IAsyncDisposable
{
    private readonly Dictionary<(uint Major, uint Minor), ulong> _devices = [];
    private readonly Lock _devicesLock = new();

    public LocalFileSystem(string rootPath, LocalOptions? options = null) : this(rootPath, options, useOpenat2: true)
    {
    }

    /// <summary><paramref name="useOpenat2"/> false forces the per-component fallback (for tests of old kernels).</summary>
    internal LocalFileSystem(string rootPath, LocalOptions? options, bool useOpenat2)
        : this(rootPath, options, new ConfinedRoot(rootPath, useOpenat2))
    {
    }

    private LocalFileSystem(string rootPath, LocalOptions? options, ConfinedRoot root)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        RootPath = rootPath;
        Options = options ?? new LocalOptions();
        Root = root;
        StartFrom(Root.StatRoot(), out var rootNode);
        RootNode = rootNode;
    }

    /// <summary>
    /// The export whose root is the directory descriptor <paramref name="root"/> (owned from now on, closed on dispose),
    /// e.g. one handed over by <see cref="ExportDelegation"/>: confined beneath it exactly as an export opened by path.
    /// <paramref name="description"/> stands for the path in <see cref="RootPath"/>.
    /// </summary>
    public static LocalFileSystem FromDescriptor(SafeFileHandle root, string description, LocalOptions? options = null)
    {
        ConfinedRoot confined;
        try
        {
            confined = new ConfinedRoot(root, useOpenat2: true);
        }
        catch
        {
            root.Dispose();
            throw;
        }
        try
        {
            return new LocalFileSystem(description, options, confined);
        }
        catch
        {
            confined.Dispose();
            throw;
        }
    }

    /// <summary>A new O_PATH descriptor of the root (the caller closes it), to hand the export to another process.</summary>
    public SafeFileHandle DuplicateRoot()
    {
        var fd = Root.Open("", LibC.O_PATH | LibC.O_DIRECTORY);
        return new SafeFileHandle((nint)fd.Value, ownsHandle: true);
    }

    private void StartFrom(in LibC.Statx root, out LocalNode rootNode)
    {
        _devices[(root.DevMajor, root.DevMinor)] = 0;
        rootNode = new LocalNode(this, null, "", root);
    }

    /// <summary>The exported directory; for an export made from a descriptor, its description.</summary>
    public string RootPath { get; }
    public LocalOptions Options { get; }
    internal ConfinedRoot Root { get; }
    internal LocalNode RootNode { get; }

    /// <summary>Guards the shape of the node tree (parents, names, interned children).</summary>
    internal Lock TreeLock { get; } = new();

    internal void RequireWritable()
    {
        if (Options.ReadOnly) throw new StyxErrorException(Errno.EROFS);
    }

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        if (RootNode.TryStatCached(out _)) return ValueTask.FromResult<INode>(RootNode);
        return Blocking.Run<INode>(() =>
        {
            RootNode.Stat();
            return RootNode;
        }, cancellationToken);
    }

    /// <summary>
    /// qid.path is st_ino (40 bits) with a per-device index in bits 40..47 for file systems mounted below the root;
    /// bits 48..63 stay zero for the namespace. qid.version follows the mtime.
    /// </summary>
    internal Qid QidOf(in LibC.Statx stat)
    {
        const ulong InodeMask = (1UL << 40) - 1;
        ulong inode = stat.Inode <= InodeMask ? stat.Inode : (stat.Inode ^ (stat.Inode >> 40)) & InodeMask;
        ulong path = inode | DeviceIndex(stat.DevMajor, stat.DevMinor) << 40;
        uint version = unchecked((uint)(stat.ModifyTime.Seconds * 1_000_000_000 + stat.ModifyTime.Nanoseconds));
        var type = (stat.Mode & UnixMode.TypeMask) switch
        {
            UnixMode.Directory => QidType.Directory,
            UnixMode.Symlink => QidType.Symlink,
            _ => QidType.File,
        };
        return new Qid(type, version, path);
    }

    private ulong DeviceIndex(uint major, uint minor)
    {
        lock (_devicesLock)
        {
            if (_devices.TryGetValue((major, minor), out var index)) return index;
            // Past 255 devices indexes are shared; st_ino then tells files apart only within each device.
            index = _devices.Count < 256 ? (ulong)_devices.Count : 1 + (ulong)(_devices.Count % 255);
            _devices[(major, minor)] = index;
            return index;
        }
    }

    public void Dispose() => Root.Dispose();

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
