using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Namespaces;

/// <summary>A tree whose root stands in for the real one (an <see cref="IDeferredNode"/>) and attaches it only when used.</summary>
internal sealed class DeferredTree(IFileSystem tree) : IFileSystem
{
    /// <summary>Attaches of the real tree so far.</summary>
    public int Attaches;

    private IFileSystem Tree { get; } = tree;

    public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<INode>(new Root(this, request));

    private sealed class Root(DeferredTree owner, AttachRequest user) : IDeferredNode
    {
        public Qid Qid => new(QidType.Directory, 0, 1);

        public ValueTask<INode> AttachedAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref owner.Attaches);
            return owner.Tree.AttachAsync(user, cancellationToken);
        }

        public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new NodeAttributes { Qid = Qid, Name = "/", Mode = UnixMode.Directory | 0x1ED });

        public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken) =>
            await (await AttachedAsync(cancellationToken)).LookupAsync(name, cancellationToken);

        public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken) =>
            await (await AttachedAsync(cancellationToken)).ListAsync(cancellationToken);

        public async ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
            await (await AttachedAsync(cancellationToken)).OpenAsync(options, cancellationToken);

        public async ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken) =>
            await (await AttachedAsync(cancellationToken)).CreateAsync(name, options, cancellationToken);
    }
}
