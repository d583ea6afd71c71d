using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem;

/// <summary>
/// One file or directory of a served tree. Operations fail by throwing <see cref="StyxErrorException"/>
/// with a Linux errno; the server turns it into Rerror / Rlerror for the dialect in use.
/// Optional operations have default implementations that refuse with a proper errno.
/// </summary>
public interface INode
{
    /// <summary>The current qid (type, version, unique path).</summary>
    Qid Qid { get; }

    ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken);

    /// <summary>Applies the non-null fields of <paramref name="changes"/> (chmod, chown, truncate, utimes).</summary>
    ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EPERM);

    /// <summary>Finds a child of this directory. Never called with "." or ".." (the server resolves those).</summary>
    ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.ENOTDIR);

    /// <summary>Lists this directory (without "." and "..").</summary>
    ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.ENOTDIR);

    /// <summary>
    /// Streams this directory's entries (without "." and ".."), for directories too large to list whole. The server
    /// reads it lazily as clients ask; the default streams <see cref="ListAsync"/>.
    /// </summary>
    async IAsyncEnumerable<DirectoryEntry> EnumerateAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in await ListAsync(cancellationToken)) yield return entry;
    }

    /// <summary>Opens this (non-directory) node for I/O.</summary>
    ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken);

    /// <summary>Creates a child (file, directory or symlink, by <see cref="CreateOptions.Mode"/> type bits).</summary>
    ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.ENOTDIR);

    /// <summary>Removes this node from its directory (directories must be empty).</summary>
    ValueTask RemoveAsync(CancellationToken cancellationToken) => throw new StyxErrorException(Errno.EPERM);

    /// <summary>Moves this node to <paramref name="newName"/> in <paramref name="newParent"/> (null = same directory).</summary>
    ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EPERM);

    /// <summary>Makes a hard link to <paramref name="target"/> named <paramref name="name"/> in this directory.</summary>
    ValueTask LinkAsync(INode target, string name, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EOPNOTSUPP, "hard links are not supported");

    /// <summary>Reads a symlink's target.</summary>
    ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken) => throw new StyxErrorException(Errno.EINVAL);

    /// <summary>File system statistics (statfs) of the tree holding this node.</summary>
    ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(FileSystemStatistics.Synthetic);
}

/// <summary>A child name and its node.</summary>
public readonly record struct DirectoryEntry(string Name, INode Node);

/// <summary>statfs numbers. FsType defaults to V9FS_MAGIC.</summary>
public sealed record FileSystemStatistics(uint FsType, uint BlockSize, ulong Blocks, ulong BlocksFree, ulong BlocksAvailable,
    ulong Files, ulong FilesFree, ulong FsId, uint NameLength)
{
    public const uint V9fsMagic = 0x01021997;

    public static FileSystemStatistics Synthetic { get; } = new(V9fsMagic, 4096, 0, 0, 0, 0, 0, 0, 255);
}
