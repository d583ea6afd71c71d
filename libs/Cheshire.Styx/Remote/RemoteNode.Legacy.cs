using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>The 9P2000 / 9P2000.u forms of the operations: Topen, Tcreate, directory reads of stats, renames by Twstat.</summary>
internal sealed partial class RemoteNode
{
    private Task<IReadOnlyList<DirectoryEntry>> ListLegacyAsync(RemoteSession session, CancellationToken ct) => session.WithFidAsync(path, async (c, fid) =>
    {
        await c.OpenAsync(fid, StyxOpenMode.Read, ct);
        var stats = StatEntry.ReadDirectory(await c.ReadAllAsync(fid, ct), c.Dialect);
        return (IReadOnlyList<DirectoryEntry>)[.. stats.Select(s => new DirectoryEntry(s.Name, new RemoteNode(root, [.. path, s.Name], s.Qid)))];
    }, ct);

    private static StyxOpenMode LegacyMode(OpenOptions options)
    {
        var mode = options.Access switch
        {
            OpenAccess.Write => StyxOpenMode.Write,
            OpenAccess.ReadWrite => StyxOpenMode.ReadWrite,
            OpenAccess.Execute => StyxOpenMode.Execute,
            _ => StyxOpenMode.Read,
        };
        return options.Truncate ? mode | StyxOpenMode.Truncate : mode;
    }

    private Task<Qid> CreateLegacyAsync(RemoteSession session, string name, CreateOptions options, CancellationToken ct)
    {
        uint permissions = options.Mode & 0x1FF;
        (uint perm, string extension) = options.FileType switch
        {
            UnixMode.Directory => (StyxMode.Directory | permissions, ""),
            UnixMode.Regular => (permissions, ""),
            UnixMode.Symlink when session.Dialect == Dialect.Unix => (StyxMode.Symlink | permissions, options.SymlinkTarget ?? ""),
            _ => throw new StyxErrorException(Errno.EOPNOTSUPP, "9P2000 creates only files and directories"),
        };
        return session.WithFidAsync(path, async (c, fid) =>
            (await c.CreateAsync(fid, name, perm, StyxOpenMode.Read, extension, ct)).Qid, ct);
    }

    /// <summary>9P2000 renames by Twstat of the name, within one directory only.</summary>
    private Task RenameLegacyAsync(RemoteSession session, string[] fromDirectory, string[] toDirectory, string newName, CancellationToken ct)
    {
        if (!fromDirectory.SequenceEqual(toDirectory)) throw new StyxErrorException(Errno.EXDEV, "9P2000 renames within a directory only");
        return session.WithFidAsync(path, (c, fid) => c.WstatAsync(fid, StatEntry.DontTouch with { Name = newName }, ct), ct);
    }
}
