using System.Runtime.CompilerServices;

namespace Cheshire.Styx.Remote;

/// <summary>
/// The nodes of one session that a client may hold fids on (those a lookup or a create returned), held weakly. A node
/// names its file by path, so a rename moves every node at or below the old path: fids follow their file, as 9P fids
/// do. 9pfuse renames through a fresh fid and goes on using the one it looked the file up with.
/// </summary>
internal sealed class RemoteNodes
{
    private static readonly object Present = new();
    private readonly ConditionalWeakTable<RemoteNode, object> _live = new();

    public RemoteNode Track(RemoteNode node)
    {
        _live.AddOrUpdate(node, Present);
        return node;
    }

    public void Moved(string[] from, string[] to)
    {
        foreach (var (node, _) in _live)
        {
            node.MovedFrom(from, to);
        }
    }
}
