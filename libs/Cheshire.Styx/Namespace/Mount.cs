using Cheshire.Styx.FileSystem;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// One mounted tree: an <see cref="IFileSystem"/> attached with an aname each time the mount point is walked
/// (so a tree that reconnects gives a fresh root), or a fixed <see cref="INode"/>. <see cref="QidTag"/> is mixed
/// into the high bits of every qid path from this tree so inode numbers stay unique across trees.
/// </summary>
internal sealed class Mount(MountInfo info, ushort qidTag, IFileSystem? fileSystem, string aname, INode? node)
{
    public MountInfo Info { get; } = info;
    public ushort QidTag { get; } = qidTag;
    public bool ReceivesCreates => (Info.Flags & MountFlags.Create) != 0;

    /// <summary>The object that decides whether two nodes live in one tree (rename and link need that).</summary>
    public object Tree { get; } = (object?)fileSystem ?? node!;

    public ValueTask<INode> RootAsync(AttachRequest user, CancellationToken cancellationToken) =>
        node is not null ? ValueTask.FromResult(node) : fileSystem!.AttachAsync(user with { Aname = aname }, cancellationToken);
}
