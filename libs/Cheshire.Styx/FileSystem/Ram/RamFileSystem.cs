using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// A writable in-memory tree, like Plan 9 ramfs: files, directories, create, write, truncate, rename,
/// remove, stat/wstat and getattr/setattr. Symlinks and device nodes are refused with EOPNOTSUPP.
/// Every aname attaches to the same root. Permissions are recorded, not enforced.
/// </summary>
public sealed class RamFileSystem : IFileSystem
{
    private long _nextPath;
    private long _bytesUsed;

    public RamFileSystem(string owner = "cheshire", uint ownerId = 0, long capacityBytes = 4L << 30, long maxFileBytes = 1L << 30)
    {
        Owner = owner;
        OwnerId = ownerId;
        CapacityBytes = capacityBytes;
        MaxFileBytes = Math.Min(maxFileBytes, Array.MaxLength);
        Root = new RamDirectory(this, "/", UnixMode.Directory | 0x1ED /* 0755 */, ownerId, ownerId, owner);
    }

    public RamDirectory Root { get; }
    public string Owner { get; }
    public uint OwnerId { get; }
    public long CapacityBytes { get; }
    public long MaxFileBytes { get; }
    public long BytesUsed => Interlocked.Read(ref _bytesUsed);

    /// <summary>Guards the shape of the tree (children, parents, names).</summary>
    internal Lock TreeLock { get; } = new();

    internal ulong NewPath() => (ulong)Interlocked.Increment(ref _nextPath);

    /// <summary>Reserves (or with a negative delta releases) capacity for file bytes.</summary>
    internal void Account(long delta)
    {
        if (delta > 0 && Interlocked.Add(ref _bytesUsed, delta) > CapacityBytes)
        {
            Interlocked.Add(ref _bytesUsed, -delta);
            throw new StyxErrorException(Errno.ENOSPC);
        }
        if (delta < 0) Interlocked.Add(ref _bytesUsed, delta);
    }

    internal long FileCount;

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(Root);

    internal FileSystemStatistics Statistics()
    {
        const uint blockSize = 4096;
        ulong blocks = (ulong)(CapacityBytes / blockSize);
        ulong free = (ulong)Math.Max(0, (CapacityBytes - BytesUsed) / blockSize);
        return new FileSystemStatistics(FileSystemStatistics.V9fsMagic, blockSize, blocks, free, free,
            1UL << 20, (ulong)Math.Max(0, (1L << 20) - Interlocked.Read(ref FileCount)), 0x52414d, 255);
    }
}
