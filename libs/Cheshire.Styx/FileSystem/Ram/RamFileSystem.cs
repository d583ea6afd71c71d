using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// A writable in-memory tree with POSIX semantics, like tmpfs: files (sparse, up to <see cref="MaxFileBytes"/>),
/// directories, hard links, symlinks, device nodes, fifos and sockets; owners, permission checks for the attaching
/// user, sticky and setgid directories, POSIX times. Every aname attaches to the same root; each attach returns a
/// view bound to its user (n_uname, or uname for plain 9P2000; uid 0 or "root" is the superuser).
/// </summary>
public sealed class RamFileSystem : IFileSystem
{
    private long _nextPath;
    private long _bytesUsed;
    private long _lastTicks;
    private readonly RamDirectory _root;

    /// <param name="owner">Name of <paramref name="ownerId"/>, owner of the root directory.</param>
    /// <param name="rootMode">Permission bits of the root; the default 01777 is what tmpfs gives /tmp.</param>
    /// <param name="groups">Which groups a user is in (9P does not say; see <see cref="RamGroupMembership"/>).</param>
    public RamFileSystem(string owner = "cheshire", uint ownerId = 0, long capacityBytes = 4L << 30,
        long maxFileBytes = 1L << 44, uint rootMode = 0x3FF, RamGroupMembership groups = RamGroupMembership.ClaimedByClient)
    {
        Groups = groups;
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFileBytes);
        Owner = owner;
        OwnerId = ownerId;
        CapacityBytes = capacityBytes;
        MaxFileBytes = maxFileBytes;
        Users = new RamUsers(owner, ownerId);
        _root = new RamDirectory(this, UnixMode.Directory | (rootMode & UnixMode.PermissionMask), ownerId, ownerId, Now(), isRoot: true);
    }

    /// <summary>The root as the superuser sees it (for hosts that fill the tree themselves).</summary>
    public INode Root => new RamNode(_root, RamUser.Root, null, "/");
    public string Owner { get; }
    public uint OwnerId { get; }
    public long CapacityBytes { get; }
    public long MaxFileBytes { get; }
    public long BytesUsed => Interlocked.Read(ref _bytesUsed);
    public RamGroupMembership Groups { get; }

    /// <summary>Guards the shape of the tree and every inode's attributes. Taken before a file's data lock, never after.</summary>
    internal Lock TreeLock { get; } = new();

    internal RamUsers Users { get; }

    internal long FileCount;

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(new RamNode(_root, Users.FromAttach(request), null, "/"));

    /// <summary>The root as <paramref name="user"/> sees it.</summary>
    public INode RootFor(RamUser user) => new RamNode(_root, user, null, "/");

    internal ulong NewPath() => (ulong)Interlocked.Increment(ref _nextPath);

    /// <summary>The current time, strictly later than any time handed out before, so every change moves the clock.</summary>
    internal DateTimeOffset Now()
    {
        while (true)
        {
            long last = Interlocked.Read(ref _lastTicks);
            long next = Math.Max(DateTimeOffset.UtcNow.UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref _lastTicks, next, last) == last) return new DateTimeOffset(next, TimeSpan.Zero);
        }
    }

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

    internal FileSystemStatistics Statistics()
    {
        const uint blockSize = 4096;
        ulong blocks = (ulong)(CapacityBytes / blockSize);
        ulong free = (ulong)Math.Max(0, (CapacityBytes - BytesUsed) / blockSize);
        return new FileSystemStatistics(FileSystemStatistics.V9fsMagic, blockSize, blocks, free, free,
            1UL << 20, (ulong)Math.Max(0, (1L << 20) - Interlocked.Read(ref FileCount)), 0x52414d, 255);
    }
}
