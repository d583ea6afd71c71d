using Cheshire.GlobalNamespace;
using Cheshire.Link;

namespace Cheshire.StyxClient.Imports;

/// <summary>One imported export: where it is mounted (a path as walked), the path its owner published, and its node's link.</summary>
public sealed record Import(string Path, string RemotePath, NamespaceEntry Entry, NodeLink Link);

/// <summary>
/// The imports of this node, by mount path, and the links they use: one <see cref="NodeLink"/> per remote node, shared
/// by all its imports and closed when the last of them is dropped.
/// </summary>
public sealed class ImportTable(LinkCredentialsSource credentials, ILogger<NodeLink> logger) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Import> _imports = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeLink> _links = new(StringComparer.Ordinal);

    public IReadOnlyList<Import> All
    {
        get
        {
            lock (_gate) return [.. _imports.Values.OrderBy(i => i.Path, StringComparer.Ordinal)];
        }
    }

    /// <summary>Imports the export <paramref name="resolution"/> found (or refreshes the import already there).</summary>
    public Import Add(Resolution resolution)
    {
        var entry = resolution.Entry?.Entry is { Kind: EntryKind.Export } export ? export
            : throw new ArgumentException($"{resolution.Path} did not resolve to an export.", nameof(resolution));
        var node = entry.NodeId.ToString();
        Import import;
        NodeLink? unused;
        lock (_gate)
        {
            if (_links.TryGetValue(node, out var link))
                link.Update(entry.Addresses);
            else
                _links[node] = link = new NodeLink(entry.NodeId.ToArray(), entry.Addresses, credentials, logger);
            import = new Import(resolution.MountPath, resolution.NamesPath, entry, link);
            _imports.TryGetValue(import.Path, out var replaced);
            _imports[import.Path] = import;
            // The export moved to another node: the old node's link goes when nothing else uses it.
            unused = replaced is not null && replaced.Link != link ? Unused(replaced.Link) : null;
        }
        if (unused is not null) _ = unused.DisposeAsync().AsTask();
        return import;
    }

    /// <summary>Under the gate: <paramref name="link"/> removed from the table if no import uses it any more.</summary>
    private NodeLink? Unused(NodeLink link)
    {
        if (_imports.Values.Any(i => i.Link == link)) return null;
        _links.Remove(link.NodeIdHex);
        return link;
    }

    public bool TryGet(string path, out Import import)
    {
        lock (_gate) return _imports.TryGetValue(path, out import!);
    }

    /// <summary>Forgets the import at <paramref name="path"/>; false when there is none.</summary>
    public async Task<bool> DropAsync(string path)
    {
        NodeLink? unused = null;
        lock (_gate)
        {
            if (!_imports.Remove(path, out var import))
                return false;
            unused = Unused(import.Link);
        }
        if (unused is not null) await unused.DisposeAsync();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        List<NodeLink> links;
        lock (_gate)
        {
            links = [.. _links.Values];
            _links.Clear();
            _imports.Clear();
        }
        foreach (var link in links) await link.DisposeAsync();
    }
}
