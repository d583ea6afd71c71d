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

    /// <summary>The names in directory <paramref name="directoryPath"/>; empty when it has none or nobody has it.</summary>
    ValueTask<IReadOnlyList<string>> ListAsync(string directoryPath, CancellationToken cancellationToken);
}

/// <summary>What a resolver found: a directory (shown as a synthetic directory) or a tree to mount at <see cref="Path"/>.</summary>
public sealed record ResolvedPath
{
    private ResolvedPath(string path, IFileSystem? tree, string aname, string description)
    {
        Path = NamespacePath.Normalize(path);
        Tree = tree;
        Aname = aname;
        Description = description;
    }

    public string Path { get; }

    /// <summary>The tree to mount; null for a directory.</summary>
    public IFileSystem? Tree { get; }

    public string Aname { get; }

    /// <summary>The mount table's description of the mount, e.g. "import /alice/music from NODEID".</summary>
    public string Description { get; }

    public bool IsDirectory => Tree is null;

    public static ResolvedPath Directory(string path) => new(path, null, "", "");

    /// <summary>
    /// A tree mounted at <paramref name="path"/> and attached with <paramref name="aname"/>. The namespace owns it from
    /// then on: if another walk mounted that path first, or attaching it fails, it is disposed (when disposable).
    /// </summary>
    public static ResolvedPath Export(string path, IFileSystem tree, string aname, string description)
    {
        ArgumentNullException.ThrowIfNull(tree);
        return new(path, tree, aname, description);
    }
}
