using Cheshire.Styx.FileSystem;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// Where a namespace looks for names its local tree does not have (e.g. a global namespace of other nodes' exports).
/// Asked only at "/" and in synthetic directories, for a name no mount, no layer and no deeper mount point has:
/// never inside a mounted tree, so control trees and local mounts shadow every remote name.
/// The namespace bounds every call with <see cref="Namespace.ResolveTimeout"/>.
/// </summary>
public interface INamespaceResolver
{
    /// <summary>What <paramref name="path"/> (absolute, normalized) is; null when nobody has it.</summary>
    ValueTask<ResolvedPath?> ResolveAsync(string path, CancellationToken cancellationToken);

    /// <summary>The children of directory <paramref name="directoryPath"/>; empty when it has none or nobody has it.</summary>
    ValueTask<IReadOnlyList<RemoteName>> ListAsync(string directoryPath, CancellationToken cancellationToken);
}

/// <summary>
/// A child a resolver lists, shown as a directory (walking it resolves it) with <see cref="Look"/>'s attributes.
/// A local name hides a remote one of the same name: the remote one is then listed as <see cref="Alias"/>, if it has
/// one (a name the resolver resolves to it, e.g. name@owner), or not at all; a remote directory under the name of a
/// local synthetic directory is neither: that directory already lists the remote names inside (a union).
/// </summary>
public sealed record RemoteName(string Name)
{
    /// <summary>A tree (an export) rather than a directory of names.</summary>
    public bool IsTree { get; init; }

    public string? Alias { get; init; }

    public RemoteLook? Look { get; init; }
}

/// <summary>What stat shows of a remote name before anything is attached: its owner and time.</summary>
/// <param name="Owner">The user (and group) shown.</param>
/// <param name="Modified">The modification (and access, change) time; null: when the namespace was made.</param>
public sealed record RemoteLook(string Owner, DateTimeOffset? Modified = null)
{
    /// <summary>The permissions a remote tree shows before it is attached: what may be done in it is the far end's to say.</summary>
    public const uint TreePermissions = 0x1ED; // 0755
}

/// <summary>What a resolver found: a directory (shown as a synthetic directory) or a tree to mount at <see cref="Path"/>.</summary>
public sealed record ResolvedPath
{
    private ResolvedPath(string path, IFileSystem? tree, string aname, string description, RemoteLook? look)
    {
        Path = NamespacePath.Normalize(path);
        Tree = tree;
        Aname = aname;
        Description = description;
        Look = look;
    }

    public string Path { get; }

    /// <summary>The tree to mount; null for a directory.</summary>
    public IFileSystem? Tree { get; }

    public string Aname { get; }

    /// <summary>The mount table's description of the mount, e.g. "import /alice/music from NODEID".</summary>
    public string Description { get; }

    /// <summary>How a directory looks in stat; null: as the namespace's own synthetic directories.</summary>
    public RemoteLook? Look { get; }

    public bool IsDirectory => Tree is null;

    public static ResolvedPath Directory(string path, RemoteLook? look = null) => new(path, null, "", "", look);

    /// <summary>
    /// A tree mounted at <paramref name="path"/> and attached with <paramref name="aname"/>. The namespace owns it from
    /// then on: if another walk mounted that path first, or attaching it fails, it is disposed (when disposable).
    /// </summary>
    public static ResolvedPath Export(string path, IFileSystem tree, string aname, string description)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return new(path, tree, aname, description, null);
    }
}
