using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// Names the local tree does not have, asked of the <see cref="INamespaceResolver"/>: a resolved tree is mounted where
/// it was found (later walks are local), a resolved directory is a synthetic directory, and listings of "/" and of
/// synthetic directories show the resolver's names after the local ones.
/// </summary>
public sealed partial class Namespace
{
    public static readonly TimeSpan DefaultResolveTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeSpan _resolveTimeout = DefaultResolveTimeout;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, IFileSystem> _resolvedTrees = new();

    /// <summary>Asked for names the local tree does not have; null: such names do not exist.</summary>
    public INamespaceResolver? Resolver { get; }

    /// <summary>The deadline of one resolver call: a walk waiting longer fails with EIO, a listing shows local names only.</summary>
    public TimeSpan ResolveTimeout
    {
        get => _resolveTimeout;
        init => _resolveTimeout = value > TimeSpan.Zero && value <= TimeSpan.FromDays(1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ResolveTimeout), value, "must be more than 0 and at most a day");
    }

    private async ValueTask<NamespaceNode> ResolveRemoteAsync(NamespaceNode parent, string name, string path, CancellationToken ct)
    {
        var resolved = await AskResolverAsync(path, (resolver, token) => resolver.ResolveAsync(path, token), ct)
            ?? throw new StyxErrorException(Errno.ENOENT);
        if (resolved.Path != path)
        {
            await DisposeTreeAsync(resolved.Tree);
            throw new StyxErrorException(Errno.EIO, $"resolving {path} answered {resolved.Path}");
        }
        if (resolved.IsDirectory) return Synthetic(path, parent.User, resolved.Look);

        var mounted = MountIfAbsent(resolved);
        if (mounted is null) await DisposeTreeAsync(resolved.Tree); // another walk mounted it first
        try
        {
            return await ResolveChildAsync(parent, name, ct);
        }
        catch (StyxErrorException) when (mounted is not null)
        {
            // Not kept: the next walk resolves again instead of failing on a tree that may be gone.
            if (RemoveMounts(m => m.Info.Id == mounted.Id, release: false)) await ReleaseResolvedTreeAsync(mounted.Id);
            throw;
        }
    }

    /// <summary>The resolver's children of <paramref name="directory"/>; none when it fails or does not answer in time.</summary>
    internal async ValueTask<IReadOnlyList<RemoteName>> ListRemoteAsync(string directory, CancellationToken ct)
    {
        IReadOnlyList<RemoteName> names;
        try
        {
            names = await AskResolverAsync(directory, (resolver, token) => resolver.ListAsync(directory, token), ct);
        }
        catch (StyxErrorException)
        {
            return [];
        }
        return [.. names.Where(n => IsListable(n.Name)).Select(n => n.Alias is null || IsListable(n.Alias) ? n : n with { Alias = null })];
    }

    /// <summary>A child of <paramref name="directory"/> as the resolver lists it, under <paramref name="name"/> (its name or alias).</summary>
    internal NamespaceNode RemoteChild(string directory, string name, RemoteName remote, AttachRequest user) =>
        Synthetic(NamespacePath.Combine(directory, name), user, remote.Look,
            remote.IsTree ? RemoteLook.TreePermissions : NamespaceNode.SyntheticPermissions);

    /// <summary>Whether <paramref name="path"/> is a mount point of trees the resolver gave only.</summary>
    internal bool IsResolvedMount(string path) =>
        Table.LayersAt(path) is { } layers && layers.All(m => m is not null && _resolvedTrees.ContainsKey(m.Info.Id));

    private static bool IsListable(string name) =>
        name.Length is > 0 and <= 255 && name is not ("." or "..") && !name.Contains('/') && !name.Contains('\0');

    private async ValueTask<T> AskResolverAsync<T>(string path, Func<INamespaceResolver, CancellationToken, ValueTask<T>> ask,
        CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ResolveTimeout);
        try
        {
            // WaitAsync: a resolver that ignores cancellation still cannot hold the walk past the deadline.
            return await ask(Resolver!, deadline.Token).AsTask().WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new StyxErrorException(Errno.EIO, $"resolving {path}: no answer within {ResolveTimeout.TotalSeconds:0.###} s");
        }
        catch (StyxErrorException)
        {
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new StyxErrorException(Errno.EIO, $"resolving {path}: {e.Message}");
        }
    }

    private MountInfo? MountIfAbsent(ResolvedPath resolved)
    {
        lock (_mutation) // reentrant: Mount takes it again
        {
            if (Table.LayersAt(resolved.Path) is not null) return null;
            var info = Mount(resolved.Path, resolved.Tree!, resolved.Aname, MountFlags.Replace, resolved.Description);
            _resolvedTrees[info.Id] = resolved.Tree!;
            return info;
        }
    }

    /// <summary>Unmounted resolved trees are the namespace's own: their connections close (held fids into them fail).</summary>
    private void ReleaseResolvedTrees(IReadOnlyList<Mount> removed)
    {
        foreach (var mount in removed)
        {
            if (_resolvedTrees.ContainsKey(mount.Info.Id)) _ = ReleaseResolvedTreeAsync(mount.Info.Id).AsTask();
        }
    }

    private async ValueTask ReleaseResolvedTreeAsync(long mountId)
    {
        if (!_resolvedTrees.TryRemove(mountId, out var tree)) return;
        try
        {
            await DisposeTreeAsync(tree);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or StyxErrorException)
        {
            // closing a connection that already broke
        }
    }

    private static async ValueTask DisposeTreeAsync(IFileSystem? tree)
    {
        if (tree is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
        else if (tree is IDisposable disposable) disposable.Dispose();
    }
}
