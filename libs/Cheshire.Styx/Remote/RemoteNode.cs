using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>
/// A file or directory on the remote server, named by its path from the attached root. Each operation walks a
/// temporary fid there (one Twalk) on the root's live session, makes its call, and clunks the fid; except right after
/// the lookup that made the node, whose walked fid the node keeps for a moment (<see cref="WalkedFids"/>): an open
/// takes it over, a getattr borrows it. 9P2000.L calls are used when the connection speaks it; the 9P2000/.u
/// equivalents otherwise (see RemoteNode.Legacy.cs).
/// A node is not tied to a connection: after a reconnection its path is walked on the new one. Calls that read (and
/// setattr, which sets absolute values) are run once more when the connection drops under them; creates, removes,
/// renames and links are not (they may have happened) and fail with EIO.
/// </summary>
internal sealed partial class RemoteNode(RemoteRoot root, string[] path, Qid qid) : INode
{
    private KeptFid? _kept;
    private volatile bool _keeping;

    /// <summary>The fid a lookup walked, on the session it was walked on.</summary>
    private sealed record KeptFid(RemoteSession Session, uint Fid);

    public Qid Qid { get; } = qid;
    internal RemoteRoot Root => root;
    private string[] RemotePath => path;
    private string Name => path.Length == 0 ? "/" : path[^1];
    private static bool Linux(StyxClient client) => client.Dialect == Dialect.Linux;

    private string[] Child(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/')) throw new StyxErrorException(Errno.EINVAL, $"bad name '{name}'");
        return [.. path, name];
    }

    private string[] ParentPath => path.Length == 0 ? throw new StyxErrorException(Errno.EBUSY, "the remote root") : path[..^1];

    /// <summary>Called once, before the node is handed out: <paramref name="fid"/> is walked to this node on <paramref name="session"/>.</summary>
    internal void Keep(RemoteSession session, uint fid)
    {
        _kept = new KeptFid(session, fid);
        _keeping = true;
    }

    /// <summary>The hold is over: the kept fid, unless an open took it, is clunked.</summary>
    internal void EndKeep()
    {
        _keeping = false;
        if (TakeKeptFid() is { } kept) kept.Session.Release(kept.Fid);
    }

    private KeptFid? TakeKeptFid() => Interlocked.Exchange(ref _kept, null);

    private void ReturnKeptFid(KeptFid kept)
    {
        if (_keeping && Interlocked.CompareExchange(ref _kept, kept, null) is null)
        {
            // EndKeep may have run meanwhile and found nothing to clunk: then take it back and clunk it here.
            if (_keeping || TakeKeptFid() is not { } back) return;
            kept = back;
        }
        kept.Session.Release(kept.Fid);
    }

    /// <summary>
    /// Runs <paramref name="operation"/> on the root's live session (dialling again if the last one dropped). With
    /// <paramref name="retry"/>, a call the lost connection interrupted runs once more on the next session.
    /// </summary>
    private async Task<T> OnSessionAsync<T>(Func<RemoteSession, Task<T>> operation, bool retry, CancellationToken ct)
    {
        var session = await root.SessionAsync(ct);
        try
        {
            return await operation(session);
        }
        catch (StyxErrorException) when (retry && !session.IsAlive)
        {
            return await operation(await root.SessionAsync(ct));
        }
    }

    private Task OnSessionAsync(Func<RemoteSession, Task> operation, bool retry, CancellationToken ct) =>
        OnSessionAsync(async s =>
        {
            await operation(s);
            return true;
        }, retry, ct);

    /// <summary>Walks a temporary fid to this node's (current) path on the live session and runs <paramref name="operation"/> on it.</summary>
    private Task<T> WithFidAsync<T>(Func<StyxClient, uint, Task<T>> operation, bool retry, CancellationToken ct) =>
        OnSessionAsync(s => s.WithFidAsync(path, operation, ct), retry, ct);

    /// <summary>Runs <paramref name="operation"/> on the kept fid if there is one (returned afterwards), else on a fresh walk.</summary>
    private async Task<T> WithNodeFidAsync<T>(Func<StyxClient, uint, Task<T>> operation, bool retry, CancellationToken ct)
    {
        if (TakeKeptFid() is { } kept && kept.Session.IsAlive)
        {
            try
            {
                return await kept.Session.RunAsync(c => operation(c, kept.Fid));
            }
            catch (StyxErrorException) when (retry && !kept.Session.IsAlive)
            {
                // the connection dropped under the call: run it again by a walk on the next one
            }
            finally
            {
                ReturnKeptFid(kept);
            }
        }
        return await WithFidAsync(operation, retry, ct);
    }

    private Task WithNodeFidAsync(Func<StyxClient, uint, Task> operation, bool retry, CancellationToken ct) =>
        WithNodeFidAsync(async (c, fid) =>
        {
            await operation(c, fid);
            return true;
        }, retry, ct);

    /// <summary>The kept fid for an open on <paramref name="session"/> (the caller owns it now), or a fresh walk.</summary>
    private async Task<uint> OwnFidAsync(RemoteSession session, StyxClient client, CancellationToken ct)
    {
        if (TakeKeptFid() is { } kept)
        {
            if (ReferenceEquals(kept.Session, session)) return kept.Fid;
            kept.Session.Release(kept.Fid);
        }
        return await session.WalkAsync(client, path, ct);
    }

    public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
        await WithNodeFidAsync(async (c, fid) => Linux(c)
            ? RemoteAttributes.FromGetattr(await c.GetattrAsync(fid, GetattrMask.Basic, cancellationToken), Name)
            : RemoteAttributes.FromStat(await c.StatAsync(fid, cancellationToken), Name), retry: true, cancellationToken);

    public async ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken) =>
        await WithNodeFidAsync((c, fid) => Linux(c)
            ? c.SetattrAsync(RemoteAttributes.ToSetattr(fid, changes), cancellationToken)
            : c.WstatAsync(fid, RemoteAttributes.ToWstat(changes, Qid.IsDirectory), cancellationToken), retry: true, cancellationToken);

    public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        var child = Child(name);
        var (session, fid, childQid) = await OnSessionAsync(async s =>
        {
            uint fid = 0;
            var walked = await s.RunAsync(async c =>
            {
                fid = c.NewFid();
                return await c.WalkPathAsync(s.RootFid, fid, string.Join('/', child), cancellationToken);
            });
            return (s, fid, walked);
        }, retry: true, cancellationToken);
        var node = root.Nodes.Track(new RemoteNode(root, child, childQid));
        if (!session.Walked.TryKeep(node, session, fid)) session.Release(fid);
        return node;
    }

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken) =>
        await OnSessionAsync(s => s.Dialect == Dialect.Linux ? ReaddirAsync(s, cancellationToken) : ListLegacyAsync(s, cancellationToken),
            retry: true, cancellationToken);

    /// <summary>The whole directory by Treaddir (a retry after a lost connection starts it again from the beginning).</summary>
    private Task<IReadOnlyList<DirectoryEntry>> ReaddirAsync(RemoteSession session, CancellationToken ct) =>
        session.WithFidAsync(path, async (c, fid) =>
        {
            await c.LopenAsync(fid, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Directory, ct);
            var entries = new List<DirectoryEntry>();
            ulong offset = 0;
            while (true)
            {
                var batch = await c.ReaddirAsync(fid, offset, (uint)c.MaxIoSize, ct);
                if (batch.Count == 0) return (IReadOnlyList<DirectoryEntry>)entries;
                foreach (var d in batch)
                {
                    if (d.Name is "." or "..") continue;
                    entries.Add(new DirectoryEntry(d.Name, new RemoteNode(root, [.. path, d.Name], d.Qid)));
                }
                offset = batch[^1].Offset;
            }
        }, ct);

    public async ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken) =>
        // An open that truncates is not repeated after a lost connection: the file may have been written since.
        await OnSessionAsync(async s =>
        {
            var (fid, opened) = await s.RunAsync(async c =>
            {
                uint fid = await OwnFidAsync(s, c, cancellationToken);
                try
                {
                    return (fid, await OpenFidAsync(c, fid, options, cancellationToken));
                }
                catch
                {
                    s.Release(fid);
                    throw;
                }
            });
            return (IOpenFile)new RemoteOpenFile(this, options with { Truncate = false }, s, fid, opened);
        }, retry: !options.Truncate, cancellationToken);

    /// <summary>Opens a walked fid (Tlopen, or Topen on 9P2000/.u); returns the opened file's qid.</summary>
    private static async Task<Qid> OpenFidAsync(StyxClient c, uint fid, OpenOptions options, CancellationToken ct) => Linux(c)
        ? (await c.LopenAsync(fid, LinuxFlags(options), ct)).Qid
        : (await c.OpenAsync(fid, LegacyMode(options), ct)).Qid;

    /// <summary>
    /// Opens this node again on <paramref name="session"/> for an open file whose connection was lost: walks the current
    /// path and opens it with <paramref name="options"/>, if it still is the file that was opened (qid.path
    /// <paramref name="opened"/>); else ESTALE saying why. Returns the new fid.
    /// </summary>
    internal Task<uint> ReopenAsync(RemoteSession session, OpenOptions options, Qid opened, CancellationToken ct) => session.RunAsync(async c =>
    {
        var where = ToString();
        uint fid = c.NewFid();
        Qid found;
        try
        {
            found = await c.WalkPathAsync(session.RootFid, fid, string.Join('/', path), ct);
        }
        catch (StyxErrorException e)
        {
            throw e.Errno == Errno.ENOENT
                ? Stale($"{where} was removed or renamed while the connection to the remote 9P server was lost")
                : Stale($"{where} cannot be walked to again after the connection to the remote 9P server was lost: {e.Message}");
        }
        try
        {
            if (found.Path != opened.Path)
                throw Stale($"{where} is another file since the connection to the remote 9P server was lost "
                            + $"(qid.path {found.Path:x} where the open file had {opened.Path:x})");
            await OpenFidAsync(c, fid, options, ct);
            return fid;
        }
        catch (StyxErrorException e)
        {
            session.Release(fid);
            if (e.Errno == Errno.ESTALE) throw;
            throw Stale($"{where} cannot be opened again after the connection to the remote 9P server was lost: {e.Message}");
        }
    });

    private static StyxErrorException Stale(string why) => new(Errno.ESTALE, why);

    private static uint LinuxFlags(OpenOptions options)
    {
        uint flags = options.Access switch
        {
            OpenAccess.Write => LinuxOpenFlags.WriteOnly,
            OpenAccess.ReadWrite => LinuxOpenFlags.ReadWrite,
            _ => LinuxOpenFlags.ReadOnly,
        };
        if (options.Truncate) flags |= LinuxOpenFlags.Truncate;
        if (options.Append) flags |= LinuxOpenFlags.Append;
        return flags;
    }

    public async ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken)
    {
        var child = Child(name);
        var created = await OnSessionAsync(s => s.Dialect == Dialect.Linux
            ? s.WithFidAsync(path, async (c, fid) => options.FileType switch
            {
                UnixMode.Directory => await c.MkdirAsync(fid, name, options.Mode & 0xFFF, options.Gid, cancellationToken),
                UnixMode.Symlink => await c.SymlinkAsync(fid, name, options.SymlinkTarget ?? "", options.Gid, cancellationToken),
                UnixMode.Regular => (await c.LcreateAsync(fid, name, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Exclusive,
                    options.Mode & 0xFFF, options.Gid, cancellationToken)).Qid,
                _ => await c.MknodAsync(fid, name, options.Mode, gid: options.Gid, ct: cancellationToken),
            }, cancellationToken)
            : CreateLegacyAsync(s, name, options, cancellationToken), retry: false, cancellationToken);
        return root.Nodes.Track(new RemoteNode(root, child, created));
    }

    public async ValueTask RemoveAsync(CancellationToken cancellationToken)
    {
        EndKeep();
        await OnSessionAsync(async s =>
        {
            if (s.Dialect != Dialect.Linux)
            {
                await RemoveByFidAsync(s, cancellationToken);
                return;
            }
            try
            {
                await s.WithFidAsync(ParentPath, (c, fid) =>
                    c.UnlinkatAsync(fid, Name, Qid.IsDirectory ? Tunlinkat.RemoveDirectory : 0, cancellationToken), cancellationToken);
            }
            catch (StyxErrorException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.ENOSYS)
            {
                await RemoveByFidAsync(s, cancellationToken);
            }
        }, retry: false, cancellationToken);
    }

    private Task RemoveByFidAsync(RemoteSession s, CancellationToken ct) =>
        s.RunAsync(async c => await c.RemoveAsync(await s.WalkAsync(c, path, ct), ct));

    public async ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        Child(newName);
        EndKeep();
        var fromDirectory = ParentPath;
        var toDirectory = newParent is null ? fromDirectory : SameRoot(newParent).RemotePath;
        await OnSessionAsync(async s =>
        {
            if (s.Dialect != Dialect.Linux)
            {
                await RenameLegacyAsync(s, fromDirectory, toDirectory, newName, cancellationToken);
                return;
            }
            try
            {
                await s.WithFidAsync(fromDirectory, (c, from) => s.WithFidAsync(toDirectory,
                    (c2, to) => c2.RenameatAsync(from, Name, to, newName, cancellationToken), cancellationToken), cancellationToken);
            }
            catch (StyxErrorException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.ENOSYS)
            {
                await s.WithFidAsync(path, (c, fid) => s.WithFidAsync(toDirectory,
                    (c2, to) => c2.RenameAsync(fid, to, newName, cancellationToken), cancellationToken), cancellationToken);
            }
        }, retry: false, cancellationToken);
        // A fid names the file, not the path: the client's fids on this node and below it follow the file.
        root.Nodes.Track(this);
        root.Nodes.Moved(path, [.. toDirectory, newName]);
    }

    /// <summary>After a rename of <paramref name="from"/> to <paramref name="to"/>: this node, if at or below it, moves along.</summary>
    internal void MovedFrom(string[] from, string[] to)
    {
        var current = path;
        if (current.Length < from.Length || !current.AsSpan(0, from.Length).SequenceEqual(from)) return;
        path = [.. to, .. current.AsSpan(from.Length)];
    }

    public async ValueTask LinkAsync(INode target, string name, CancellationToken cancellationToken)
    {
        Child(name);
        var linked = SameRoot(target);
        await OnSessionAsync(s => s.Dialect != Dialect.Linux
            ? throw new StyxErrorException(Errno.EOPNOTSUPP, "hard links need 9P2000.L")
            : s.WithFidAsync(path, (c, directory) => s.WithFidAsync(linked.RemotePath,
                (c2, fid) => c2.LinkAsync(directory, fid, name, cancellationToken), cancellationToken), cancellationToken),
            retry: false, cancellationToken);
    }

    public async ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken) =>
        await WithNodeFidAsync(async (c, fid) => Linux(c)
            ? await c.ReadlinkAsync(fid, cancellationToken)
            : await c.StatAsync(fid, cancellationToken) is { } s && (s.Mode & StyxMode.Symlink) != 0 ? s.Extension
            : throw new StyxErrorException(Errno.EINVAL), retry: true, cancellationToken);

    public async ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        await OnSessionAsync(session => session.Dialect != Dialect.Linux
            ? Task.FromResult(FileSystemStatistics.Synthetic)
            : session.WithFidAsync(path, async (c, fid) =>
            {
                var s = await c.StatfsAsync(fid, cancellationToken);
                return new FileSystemStatistics(s.FsType, s.BlockSize, s.Blocks, s.BlocksFree, s.BlocksAvailable, s.Files, s.FilesFree, s.FsId, s.NameLength);
            }, cancellationToken), retry: true, cancellationToken);

    /// <summary>Another node of this very root (rename and link cannot cross trees, anames or connections).</summary>
    private RemoteNode SameRoot(INode node) => node is RemoteNode other && ReferenceEquals(other.Root, root)
        ? other
        : throw new StyxErrorException(Errno.EXDEV);

    public override string ToString() => "/" + string.Join('/', path);
}
