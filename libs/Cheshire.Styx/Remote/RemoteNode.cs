using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>
/// A file or directory on the remote server, named by its path from the attached root. Each operation walks a
/// temporary fid there (one Twalk), makes its call, and clunks the fid; except right after the lookup that made the
/// node, whose walked fid the node keeps for a moment (<see cref="WalkedFids"/>): an open takes it over, a getattr
/// borrows it. 9P2000.L calls are used when the connection speaks it; the 9P2000/.u equivalents otherwise
/// (see RemoteNode.Legacy.cs).
/// </summary>
internal sealed partial class RemoteNode(RemoteSession session, string[] path, Qid qid) : INode
{
    private uint _keptFid;
    private volatile bool _keeping;

    public Qid Qid { get; } = qid;
    private string[] RemotePath => path;
    private string Name => path.Length == 0 ? "/" : path[^1];
    private bool Linux => session.Dialect == Dialect.Linux;

    private string[] Child(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/')) throw new StyxErrorException(Errno.EINVAL, $"bad name '{name}'");
        return [.. path, name];
    }

    private string[] ParentPath => path.Length == 0 ? throw new StyxErrorException(Errno.EBUSY, "the remote root") : path[..^1];

    /// <summary>Called once, before the node is handed out: <paramref name="fid"/> is walked to this node.</summary>
    internal void Keep(uint fid)
    {
        _keptFid = fid;
        _keeping = true;
    }

    /// <summary>The hold is over: the kept fid, unless an open took it, is clunked.</summary>
    internal void EndKeep()
    {
        _keeping = false;
        if (TakeKeptFid() is var fid and not 0) session.Release(fid);
    }

    private uint TakeKeptFid() => Interlocked.Exchange(ref _keptFid, 0);

    private void ReturnKeptFid(uint fid)
    {
        if (_keeping && Interlocked.CompareExchange(ref _keptFid, fid, 0) == 0)
        {
            // EndKeep may have run meanwhile and found nothing to clunk: then take it back and clunk it here.
            if (_keeping || (fid = TakeKeptFid()) == 0) return;
        }
        session.Release(fid);
    }

    /// <summary>Runs <paramref name="operation"/> on the kept fid if there is one (returned afterwards), else on a fresh walk.</summary>
    private Task<T> WithNodeFidAsync<T>(Func<StyxClient, uint, Task<T>> operation, CancellationToken ct)
    {
        var kept = TakeKeptFid();
        if (kept == 0) return session.WithFidAsync(path, operation, ct);
        return session.RunAsync(async c =>
        {
            try
            {
                return await operation(c, kept);
            }
            finally
            {
                ReturnKeptFid(kept);
            }
        });
    }

    private Task WithNodeFidAsync(Func<StyxClient, uint, Task> operation, CancellationToken ct) =>
        WithNodeFidAsync(async (c, fid) =>
        {
            await operation(c, fid);
            return true;
        }, ct);

    /// <summary>The kept fid for an open (the caller owns it now), or a fresh walk.</summary>
    private async Task<uint> OwnFidAsync(StyxClient client, CancellationToken ct)
    {
        var kept = TakeKeptFid();
        return kept != 0 ? kept : await session.WalkAsync(client, path, ct);
    }

    public async ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
        Linux
            ? await WithNodeFidAsync(async (c, fid) =>
                RemoteAttributes.FromGetattr(await c.GetattrAsync(fid, GetattrMask.Basic, cancellationToken), Name), cancellationToken)
            : RemoteAttributes.FromStat(await StatAsync(cancellationToken), Name);

    public async ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken) =>
        await WithNodeFidAsync((c, fid) => Linux
            ? c.SetattrAsync(RemoteAttributes.ToSetattr(fid, changes), cancellationToken)
            : c.WstatAsync(fid, RemoteAttributes.ToWstat(changes, Qid.IsDirectory), cancellationToken), cancellationToken);

    public async ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        var child = Child(name);
        uint fid = 0;
        var childQid = await session.RunAsync(async c =>
        {
            fid = c.NewFid();
            return await c.WalkPathAsync(session.RootFid, fid, string.Join('/', child), cancellationToken);
        });
        var node = session.Nodes.Track(new RemoteNode(session, child, childQid));
        if (!session.Walked.TryKeep(node, fid)) session.Release(fid);
        return node;
    }

    public async ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        if (!Linux) return await ListLegacyAsync(cancellationToken);
        return await session.WithFidAsync(path, async (c, fid) =>
        {
            await c.LopenAsync(fid, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Directory, cancellationToken);
            var entries = new List<DirectoryEntry>();
            ulong offset = 0;
            while (true)
            {
                var batch = await c.ReaddirAsync(fid, offset, (uint)c.MaxIoSize, cancellationToken);
                if (batch.Count == 0) return entries;
                foreach (var d in batch)
                {
                    if (d.Name is "." or "..") continue;
                    entries.Add(new DirectoryEntry(d.Name, new RemoteNode(session, [.. path, d.Name], d.Qid)));
                }
                offset = batch[^1].Offset;
            }
        }, cancellationToken);
    }

    public async ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        return await session.RunAsync(async c =>
        {
            uint fid = await OwnFidAsync(c, cancellationToken);
            try
            {
                if (Linux) await c.LopenAsync(fid, LinuxFlags(options), cancellationToken);
                else await c.OpenAsync(fid, LegacyMode(options), cancellationToken);
            }
            catch
            {
                session.Release(fid);
                throw;
            }
            return new RemoteOpenFile(session, fid);
        });
    }

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
        if (!Linux) return session.Nodes.Track(new RemoteNode(session, child, await CreateLegacyAsync(name, options, cancellationToken)));
        var created = await session.WithFidAsync(path, async (c, fid) => options.FileType switch
        {
            UnixMode.Directory => await c.MkdirAsync(fid, name, options.Mode & 0xFFF, options.Gid, cancellationToken),
            UnixMode.Symlink => await c.SymlinkAsync(fid, name, options.SymlinkTarget ?? "", options.Gid, cancellationToken),
            UnixMode.Regular => (await c.LcreateAsync(fid, name, LinuxOpenFlags.ReadOnly | LinuxOpenFlags.Exclusive,
                options.Mode & 0xFFF, options.Gid, cancellationToken)).Qid,
            _ => await c.MknodAsync(fid, name, options.Mode, gid: options.Gid, ct: cancellationToken),
        }, cancellationToken);
        return session.Nodes.Track(new RemoteNode(session, child, created));
    }

    public async ValueTask RemoveAsync(CancellationToken cancellationToken)
    {
        EndKeep();
        if (!Linux)
        {
            await session.RunAsync(async c => await c.RemoveAsync(await session.WalkAsync(c, path, cancellationToken), cancellationToken));
            return;
        }
        try
        {
            await session.WithFidAsync(ParentPath, (c, fid) =>
                c.UnlinkatAsync(fid, Name, Qid.IsDirectory ? Tunlinkat.RemoveDirectory : 0, cancellationToken), cancellationToken);
        }
        catch (StyxErrorException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.ENOSYS)
        {
            await session.RunAsync(async c => await c.RemoveAsync(await session.WalkAsync(c, path, cancellationToken), cancellationToken));
        }
    }

    public async ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        Child(newName);
        EndKeep();
        var fromDirectory = ParentPath;
        var toDirectory = newParent is null ? fromDirectory : SameSession(newParent).RemotePath;
        if (!Linux)
        {
            await RenameLegacyAsync(fromDirectory, toDirectory, newName, cancellationToken);
        }
        else
        {
            try
            {
                await session.WithFidAsync(fromDirectory, (c, from) => session.WithFidAsync(toDirectory,
                    (c2, to) => c2.RenameatAsync(from, Name, to, newName, cancellationToken), cancellationToken), cancellationToken);
            }
            catch (StyxErrorException e) when (e.Errno is Errno.EOPNOTSUPP or Errno.ENOSYS)
            {
                await session.WithFidAsync(path, (c, fid) => session.WithFidAsync(toDirectory,
                    (c2, to) => c2.RenameAsync(fid, to, newName, cancellationToken), cancellationToken), cancellationToken);
            }
        }
        // A fid names the file, not the path: the client's fids on this node and below it follow the file.
        session.Nodes.Track(this);
        session.Nodes.Moved(path, [.. toDirectory, newName]);
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
        if (!Linux) throw new StyxErrorException(Errno.EOPNOTSUPP, "hard links need 9P2000.L");
        var linked = SameSession(target);
        await session.WithFidAsync(path, (c, directory) => session.WithFidAsync(linked.RemotePath,
            (c2, fid) => c2.LinkAsync(directory, fid, name, cancellationToken), cancellationToken), cancellationToken);
    }

    public async ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken) => Linux
        ? await WithNodeFidAsync((c, fid) => c.ReadlinkAsync(fid, cancellationToken), cancellationToken)
        : (await StatAsync(cancellationToken)) is { } s && (s.Mode & StyxMode.Symlink) != 0 ? s.Extension
        : throw new StyxErrorException(Errno.EINVAL);

    public async ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken)
    {
        if (!Linux) return FileSystemStatistics.Synthetic;
        var s = await session.WithFidAsync(path, (c, fid) => c.StatfsAsync(fid, cancellationToken), cancellationToken);
        return new FileSystemStatistics(s.FsType, s.BlockSize, s.Blocks, s.BlocksFree, s.BlocksAvailable, s.Files, s.FilesFree, s.FsId, s.NameLength);
    }

    /// <summary>Another node of this very connection (rename and link cannot cross trees or connections).</summary>
    private RemoteNode SameSession(INode node) => node is RemoteNode other && other.HasSession(session)
        ? other
        : throw new StyxErrorException(Errno.EXDEV);

    private bool HasSession(RemoteSession s) => ReferenceEquals(s, session);

    public override string ToString() => "/" + string.Join('/', path);
}
