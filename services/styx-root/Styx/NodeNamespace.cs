using Cheshire.Identity;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Namespaces;
using Namespace = Cheshire.Styx.Namespaces.Namespace;
using Microsoft.Extensions.Options;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// This node's namespace: /cheshire and /tmp from the start, then whatever is mounted through the Namespace API, and
/// where the local tree has nothing, the global namespace through an <see cref="INamespaceResolver"/> (imports mounted on first walk).
/// </summary>
public sealed class NodeNamespace
{
    private readonly Namespace _namespace;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, IAsyncDisposable> _owned = new();

    public NodeNamespace(NodeIdentity identity, UserIdentity user, IOptions<StyxRootOptions> options, TimeProvider time,
        INamespaceResolver? resolver = null)
    {
        // The resolver's gRPC deadline (Styx:ResolveSeconds, which may change while the module runs) bounds a lookup; the
        // library's is only a backstop past the largest value it may take, so that a lookup styx-client does not answer says so.
        _namespace = new Namespace(resolver: resolver) { ResolveTimeout = TimeSpan.FromSeconds(StyxRootOptions.MaxResolveSeconds + 2) };
        _namespace.Mount("/cheshire", CheshireControlTree.Create(identity, user, DescribeMounts, time), description: "cheshire");
        if (options.Value.TmpCapacityBytes > 0)
            _namespace.Mount("/tmp", new RamFileSystem(capacityBytes: options.Value.TmpCapacityBytes),
                description: $"ram {options.Value.TmpCapacityBytes}");
    }

    /// <summary>The tree served to 9P clients.</summary>
    public IFileSystem FileSystem => _namespace;

    public IReadOnlyList<MountInfo> Mounts => _namespace.List();

    public async Task<MountInfo> MountAsync(string path, MountSource source, MountFlag flag, bool create, CancellationToken ct)
    {
        var (tree, description) = await source.OpenAsync(ct);
        var flags = flag switch
        {
            MountFlag.Before => MountFlags.Before,
            MountFlag.After => MountFlags.After,
            _ => MountFlags.Replace,
        };
        if (create)
            flags |= MountFlags.Create;
        var info = _namespace.Mount(path, tree, flags: flags, description: description);
        if (tree is IAsyncDisposable disposable)
            _owned[info.Id] = disposable; // e.g. a remote server's connection, closed on unmount
        return info;
    }

    /// <summary>Removes mount <paramref name="id"/> at <paramref name="path"/>, or every mount there when id is 0.</summary>
    public async Task<int> UnmountAsync(string path, ulong id)
    {
        var doomed = Mounts.Where(m => m.Path == path && (id == 0 || (ulong)m.Id == id)).ToList();
        var removed = 0;
        foreach (var mount in doomed)
        {
            if (!_namespace.Unmount(mount.Id))
                continue;
            removed++;
            if (_owned.TryRemove(mount.Id, out var tree))
                await tree.DisposeAsync();
        }
        return removed;
    }

    /// <summary>The mount table in the style of Plan 9's ns(1).</summary>
    private string DescribeMounts() =>
        string.Concat(Mounts.Select(m => $"mount {FlagText(m.Flags)}'{m.Description}' {m.Path}\n"));

    private static string FlagText(MountFlags flags)
    {
        var text = (flags & MountFlags.Before) != 0 ? "-b" : (flags & MountFlags.After) != 0 ? "-a" : "";
        if ((flags & MountFlags.Create) != 0)
            text += text.Length == 0 ? "-c" : "c";
        return text.Length == 0 ? "" : text + " ";
    }
}

public static class MountInfoExtensions
{
    public static MountEntry ToProto(this MountInfo info) => new()
    {
        Id = (ulong)info.Id,
        Path = info.Path,
        Source = info.Description,
        Flag = (info.Flags & MountFlags.Before) != 0 ? MountFlag.Before
            : (info.Flags & MountFlags.After) != 0 ? MountFlag.After : MountFlag.Replace,
        Create = (info.Flags & MountFlags.Create) != 0,
    };
}
