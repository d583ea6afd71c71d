using System.Collections.Concurrent;
using System.Collections.Immutable;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// A Plan 9 style namespace served as one tree: a mount table of absolute paths bound to trees, union
/// directories, and synthetic directories for paths that only lead to deeper mount points.
/// Mounts may change at any time; walks in progress see either the old or the new table.
/// <code>
/// var ns = new Namespace();
/// ns.Mount("/", new RamFileSystem(), flags: MountFlags.After | MountFlags.Create);
/// ns.Mount("/srv/diod", await RemoteFileSystem.ConnectAsync("127.0.0.1", 5640, "/export", "root"));
/// // serve with new StyxServerConnection(pipe, ns).RunAsync(ct)
/// </code>
/// Tattach's aname, when not empty, names the namespace path to attach to.
/// Unmounting does not dispose a tree (except one a resolver gave); fids already inside it keep working on the tree's nodes.
/// </summary>
public sealed partial class Namespace : IFileSystem
{
    private readonly Lock _mutation = new();
    private readonly ConcurrentDictionary<string, ulong> _syntheticPaths = new(StringComparer.Ordinal);
    private MountTable _table = MountTable.Empty;
    private long _nextMountId;
    private ushort _lastQidTag;
    private ulong _nextSyntheticPath;

    public Namespace(string owner = "cheshire", INamespaceResolver? resolver = null)
    {
        Owner = owner;
        Resolver = resolver;
        Created = DateTimeOffset.UtcNow;
    }

    /// <summary>Owner reported for synthetic directories.</summary>
    public string Owner { get; }

    internal DateTimeOffset Created { get; }
    internal MountTable Table => Volatile.Read(ref _table);

    /// <summary>Mounts <paramref name="fileSystem"/> (attached with <paramref name="aname"/> on each walk into it) at <paramref name="path"/>.</summary>
    public MountInfo Mount(string path, IFileSystem fileSystem, string aname = "", MountFlags flags = MountFlags.Replace,
        string? description = null)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        return Add(path, flags, description ?? $"{fileSystem.GetType().Name} {aname}".TrimEnd(),
            (info, tag) => new Mount(info, tag, fileSystem, aname, null));
    }

    /// <summary>Binds a node (a directory of any tree) at <paramref name="path"/>.</summary>
    public MountInfo Bind(string path, INode node, MountFlags flags = MountFlags.Replace, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Add(path, flags, description ?? node.GetType().Name, (info, tag) => new Mount(info, tag, null, "", node));
    }

    /// <summary>Removes every layer mounted at <paramref name="path"/>; false if there was none.</summary>
    public bool Unmount(string path)
    {
        var normalized = NamespacePath.Normalize(path);
        return Remove(m => m.Info.Path == normalized);
    }

    /// <summary>Removes one layer by its <see cref="MountInfo.Id"/>; false if it is not mounted.</summary>
    public bool Unmount(long mountId) => Remove(m => m.Info.Id == mountId);

    /// <summary>The mount table: paths in order, and the layers of each path in union order.</summary>
    public IReadOnlyList<MountInfo> List() =>
        [.. Table.Entries.OrderBy(e => e.Key, StringComparer.Ordinal).SelectMany(e => e.Value.OfType<Mount>().Select(m => m.Info))];

    public async ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        INode node = await RootAsync(request, cancellationToken);
        foreach (var name in NamespacePath.Split(request.Aname))
        {
            if (name == ".") continue;
            if (name == "..") throw new StyxErrorException(Errno.EINVAL, "aname may not contain '..'");
            node = await node.LookupAsync(name, cancellationToken);
        }
        return node;
    }

    /// <summary>Walks an absolute namespace path for a user (for hosts that act on the namespace themselves).</summary>
    public ValueTask<INode> WalkAsync(string path, AttachRequest user, CancellationToken cancellationToken) =>
        AttachAsync(user with { Aname = NamespacePath.Normalize(path) }, cancellationToken);

    private async ValueTask<NamespaceNode> RootAsync(AttachRequest user, CancellationToken ct)
    {
        var table = Table;
        if (table.LayersAt(NamespacePath.Root) is not { } entry) return Synthetic(NamespacePath.Root, user);
        var layers = await AttachLayersAsync(entry, underlying: null, user, ct);
        return layers.Length == 0 ? Synthetic(NamespacePath.Root, user) : new NamespaceNode(this, NamespacePath.Root, layers, user);
    }

    /// <summary>The child <paramref name="name"/> of a namespace directory: a mount point, a tree entry, or a synthetic prefix.</summary>
    internal async ValueTask<NamespaceNode> ResolveChildAsync(NamespaceNode parent, string name, CancellationToken ct)
    {
        var path = NamespacePath.Combine(parent.Path, name);
        var table = Table;
        if (table.LayersAt(path) is { } entry)
        {
            var layers = await AttachLayersAsync(entry, () => parent.LookupInLayersAsync(name, ct), parent.User, ct);
            if (layers.Length > 0) return new NamespaceNode(this, path, layers, parent.User);
            return Synthetic(path, parent.User);
        }
        Exception? failure;
        try
        {
            var found = await parent.LookupInLayersAsync(name, ct);
            if (found is { } layer) return new NamespaceNode(this, path, [layer], parent.User);
            failure = null;
        }
        catch (StyxErrorException e)
        {
            failure = e;
        }
        if (table.HasMountsBelow(path)) return Synthetic(path, parent.User);
        if (failure is not null) throw failure;
        if (Resolver is not null && parent.ConsultsResolver) return await ResolveRemoteAsync(parent, name, path, ct);
        throw new StyxErrorException(Errno.ENOENT);
    }

    /// <summary>Attaches each layer of an entry; a failing layer is skipped when another layer answers.</summary>
    private static async ValueTask<ImmutableArray<Layer>> AttachLayersAsync(ImmutableArray<Mount?> entry,
        Func<ValueTask<Layer?>>? underlying, AttachRequest user, CancellationToken ct)
    {
        var layers = ImmutableArray.CreateBuilder<Layer>(entry.Length);
        StyxErrorException? failure = null;
        foreach (var mount in entry)
        {
            try
            {
                if (mount is null)
                {
                    if (underlying is not null && await underlying() is { } old && old.Node.Qid.IsDirectory) layers.Add(old);
                }
                else
                {
                    layers.Add(new Layer(await mount.RootAsync(user, ct), mount));
                }
            }
            catch (StyxErrorException e)
            {
                failure ??= e;
            }
        }
        if (layers.Count == 0 && failure is not null) throw failure;
        return layers.ToImmutable();
    }

    internal NamespaceNode Synthetic(string path, AttachRequest user, RemoteLook? look = null,
        uint permissions = NamespaceNode.SyntheticPermissions) => new(this, path, [], user, look, permissions);

    /// <summary>A stable qid path for a synthetic directory (tag 0 of the qid space is reserved for them).</summary>
    internal ulong SyntheticQidPath(string path) =>
        _syntheticPaths.GetOrAdd(path, _ => Interlocked.Increment(ref _nextSyntheticPath));

    private MountInfo Add(string path, MountFlags flags, string description, Func<MountInfo, ushort, Mount> create)
    {
        var normalized = NamespacePath.Normalize(path);
        if ((flags & (MountFlags.Before | MountFlags.After)) == (MountFlags.Before | MountFlags.After))
            throw new ArgumentException("Before and After are exclusive", nameof(flags));
        lock (_mutation)
        {
            var table = _table;
            var info = new MountInfo(++_nextMountId, normalized, flags, description);
            var mount = create(info, FreeQidTag(table));
            Volatile.Write(ref _table, table.With(normalized, mount));
            return info;
        }
    }

    private bool Remove(Func<Mount, bool> match) => RemoveMounts(match, release: true);

    private bool RemoveMounts(Func<Mount, bool> match, bool release)
    {
        IReadOnlyList<Mount> removed;
        lock (_mutation)
        {
            var table = _table.Without(match, out removed);
            Volatile.Write(ref _table, table);
        }
        if (release) ReleaseResolvedTrees(removed);
        return removed.Count > 0;
    }

    /// <summary>
    /// The next qid tag no current mount uses, round robin so that a tag freed by an unmount is reused as late as
    /// possible (fids inside an unmounted tree may still be held). Tag 0 is for synthetic directories.
    /// </summary>
    private ushort FreeQidTag(MountTable table)
    {
        var used = table.AllMounts.Select(m => m.QidTag).ToHashSet();
        for (int step = 0; step < ushort.MaxValue; step++)
        {
            _lastQidTag = (ushort)(_lastQidTag % ushort.MaxValue + 1);
            if (!used.Contains(_lastQidTag)) return _lastQidTag;
        }
        throw new InvalidOperationException("too many mounts (65535)");
    }
}

/// <summary>One layer of a namespace node: a node of a mounted tree and the mount it came through.</summary>
internal readonly record struct Layer(INode Node, Mount Mount);
