using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Namespaces;

/// <summary>Directory operations: union listing, create into the MCREATE layer, remove and rename within one tree.</summary>
internal sealed partial class NamespaceNode
{
    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var mountChildren = _namespace.Table.ChildrenOf(Path);
        var entries = new List<DirectoryEntry>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        StyxErrorException? failure = null;
        bool listed = IsSynthetic;
        foreach (var layer in Layers)
        {
            IReadOnlyList<DirectoryEntry> list;
            try
            {
                list = await layer.Node.ListAsync(cancellationToken);
                listed = true;
            }
            catch (StyxErrorException e)
            {
                failure ??= e;
                continue;
            }
            foreach (var entry in list)
            {
                if (!seen.Add(entry.Name)) continue;
                var node = mountChildren.Contains(entry.Name)
                    ? await MountChildAsync(entry.Name, cancellationToken)
                    : new NamespaceNode(_namespace, NamespacePath.Combine(Path, entry.Name), [new Layer(entry.Node, layer.Mount)], User);
                entries.Add(new DirectoryEntry(entry.Name, node));
            }
        }
        if (!listed && failure is not null && mountChildren.Count == 0) throw failure;
        foreach (var name in mountChildren.Order(StringComparer.Ordinal))
        {
            if (seen.Add(name)) entries.Add(new DirectoryEntry(name, await MountChildAsync(name, cancellationToken)));
        }
        if (_namespace.Resolver is not null && ConsultsResolver)
            await AddRemoteNamesAsync(entries, seen, cancellationToken);
        return entries;
    }

    /// <summary>
    /// Remote names after the local ones, shown as directories; walking one resolves it (a tree is mounted then). A local
    /// name wins: the remote one is listed under its alias, unless both are directories of names (the local synthetic
    /// directory then lists the remote names inside: one union directory).
    /// </summary>
    private async ValueTask AddRemoteNamesAsync(List<DirectoryEntry> entries, HashSet<string> seen, CancellationToken ct)
    {
        var local = entries.ToDictionary(e => e.Name, e => e.Node, StringComparer.Ordinal);
        foreach (var remote in await _namespace.ListRemoteAsync(Path, ct))
        {
            var name = remote.Name;
            if (local.TryGetValue(name, out var shadow))
            {
                if (_namespace.IsResolvedMount(NamespacePath.Combine(Path, name))) continue; // that very name, mounted
                if (!remote.IsTree && shadow is NamespaceNode { IsSynthetic: true }) continue;
                if (remote.Alias is not { } alias) continue;
                name = alias;
            }
            if (seen.Add(name)) entries.Add(new DirectoryEntry(name, _namespace.RemoteChild(Path, name, remote, User)));
        }
    }

    /// <summary>A mount point (or prefix) below this directory; one whose tree cannot be reached shows as a synthetic directory.</summary>
    private async ValueTask<INode> MountChildAsync(string name, CancellationToken ct)
    {
        try
        {
            return await _namespace.ResolveChildAsync(this, name, ct);
        }
        catch (StyxErrorException)
        {
            return _namespace.Synthetic(NamespacePath.Combine(Path, name), User);
        }
    }

    public async ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken)
    {
        NamespacePath.CheckName(name);
        if (_namespace.Table.ChildrenOf(Path).Contains(name)) throw new StyxErrorException(Errno.EEXIST, "a mount point has that name");
        var layer = CreateLayer;
        var created = await layer.Node.CreateAsync(name, options, cancellationToken);
        return new NamespaceNode(_namespace, NamespacePath.Combine(Path, name), [new Layer(created, layer.Mount)], User);
    }

    /// <summary>Where creates go: the first layer mounted with MCREATE, else the first layer.</summary>
    private Layer CreateLayer
    {
        get
        {
            if (IsSynthetic) throw new StyxErrorException(Errno.EROFS, "synthetic mount-point directory");
            foreach (var layer in Layers)
            {
                if (layer.Mount.ReceivesCreates) return layer;
            }
            return Layers[0];
        }
    }

    public ValueTask RemoveAsync(CancellationToken cancellationToken)
    {
        RequireNotMountPoint();
        return First.Node.RemoveAsync(cancellationToken);
    }

    public async ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        NamespacePath.CheckName(newName);
        RequireNotMountPoint();
        var source = First;
        var parent = newParent is null ? null : AsNamespaceNode(newParent);
        var parentPath = parent?.Path ?? NamespacePath.ParentOf(Path);
        if (_namespace.Table.ChildrenOf(parentPath).Contains(newName)) throw new StyxErrorException(Errno.EBUSY, "target is a mount point");
        var target = parent is null ? null : (parent.LayerInTree(source.Mount) ?? throw new StyxErrorException(Errno.EXDEV)).Node;
        if (target is IDeferredNode deferred) target = await deferred.AttachedAsync(cancellationToken);
        await source.Node.RenameAsync(target, newName, cancellationToken);
        Path = NamespacePath.Combine(parentPath, newName);
    }

    public async ValueTask LinkAsync(INode target, string name, CancellationToken cancellationToken)
    {
        NamespacePath.CheckName(name);
        var linked = AsNamespaceNode(target).First;
        var directory = LayerInTree(linked.Mount) ?? throw new StyxErrorException(Errno.EXDEV);
        var node = linked.Node is IDeferredNode deferred ? await deferred.AttachedAsync(cancellationToken) : linked.Node;
        await directory.Node.LinkAsync(node, name, cancellationToken);
    }

    /// <summary>The layer of this directory that lives in the same tree as <paramref name="mount"/>, if any.</summary>
    private Layer? LayerInTree(Mount mount)
    {
        foreach (var layer in Layers)
        {
            if (layer.Mount == mount || ReferenceEquals(layer.Mount.Tree, mount.Tree)) return layer;
        }
        return null;
    }

    private static NamespaceNode AsNamespaceNode(INode node) =>
        node as NamespaceNode ?? throw new StyxErrorException(Errno.EXDEV, "not a node of this namespace");

    private void RequireNotMountPoint()
    {
        if (Path == NamespacePath.Root || _namespace.Table.LayersAt(Path) is not null || _namespace.Table.HasMountsBelow(Path))
            throw new StyxErrorException(Errno.EBUSY, "mount point");
    }
}
