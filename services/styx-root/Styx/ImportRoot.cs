using System.Runtime.CompilerServices;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxRoot.Styx;

/// <summary>The root of an <see cref="ImportedTree"/>: stat from the entry until attached; everything else attaches and passes through.</summary>
internal sealed class ImportRoot(ImportedTree tree, AttachRequest user) : IDeferredNode
{
    public Qid Qid => new(QidType.Directory, 0, tree.QidPath);

    public ValueTask<INode> AttachedAsync(CancellationToken cancellationToken) => tree.AttachRemoteAsync(user, cancellationToken);

    public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        if (!tree.IsAttached) return tree.EntryAttributes(Qid, tree.Name);
        var attributes = await (await AttachedAsync(cancellationToken)).GetAttributesAsync(cancellationToken);
        return attributes with { Qid = Qid };
    }

    public async ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).SetAttributesAsync(changes, cancellationToken);

    public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).LookupAsync(name, cancellationToken);

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).ListAsync(cancellationToken);

    public async IAsyncEnumerable<DirectoryEntry> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var root = await AttachedAsync(cancellationToken);
        await foreach (var entry in root.EnumerateAsync(cancellationToken)) yield return entry;
    }

    public async ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).OpenAsync(options, cancellationToken);

    public async ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).CreateAsync(name, options, cancellationToken);

    public async ValueTask RemoveAsync(CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).RemoveAsync(cancellationToken);

    public async ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).RenameAsync(newParent, newName, cancellationToken);

    public async ValueTask LinkAsync(INode target, string name, CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).LinkAsync(target, name, cancellationToken);

    public async ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken) =>
        await (await AttachedAsync(cancellationToken)).ReadLinkAsync(cancellationToken);

    public async ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        tree.IsAttached
            ? await (await AttachedAsync(cancellationToken)).GetFileSystemStatisticsAsync(cancellationToken)
            : FileSystemStatistics.Synthetic;

    public override string ToString() => $"import root {tree.Name}";
}
