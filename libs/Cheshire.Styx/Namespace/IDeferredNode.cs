using Cheshire.Styx.FileSystem;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// A tree's root that stands in for the real one until it is used (e.g. a remote tree's root whose stat answers
/// without dialling). Where the namespace hands a node of a tree to another node of that tree (rename into it, link in
/// it), it passes the real root, so the tree sees only its own nodes.
/// </summary>
public interface IDeferredNode : INode
{
    /// <summary>The real root, attaching it first if need be.</summary>
    ValueTask<INode> AttachedAsync(CancellationToken cancellationToken);
}
