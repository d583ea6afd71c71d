using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>9P2000 / 9P2000.u file operations.</summary>
public sealed partial class StyxSession
{
    private async ValueTask<Message> OpenAsync(Topen m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var qid = await OpenFidAsync(fid, ToOptions(m.Mode, fid.User.Name), (m.Mode & StyxOpenMode.RemoveOnClose) != 0, ct);
        return new Ropen(m.Tag, qid, IoUnit);
    }

    private async ValueTask<Message> CreateAsync(Tcreate m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        if (Dialect == Dialect.Unix && (m.Perm & StyxMode.Link) != 0) return await CreateLinkAsync(fid, m, ct);
        uint mode = AttributeConversions.CreateMode(m.Perm, m.Extension);
        string? target = (mode & UnixMode.TypeMask) == UnixMode.Symlink ? m.Extension : null;
        var device = (mode & UnixMode.TypeMask) is UnixMode.CharDevice or UnixMode.BlockDevice ? AttributeConversions.DeviceOf(m.Extension) : default;
        var node = await CreateChildAsync(fid, m.Name, mode, fid.User.Id, target, ct, device);
        fid.Path = new NodePath(node, fid.Path);
        // A symlink, device, fifo or socket made by .u Tcreate has no I/O to open (the Linux client clunks it at once).
        if ((mode & UnixMode.TypeMask) is not (UnixMode.Regular or UnixMode.Directory)) return new Rcreate(m.Tag, node.Qid, IoUnit);
        var qid = await OpenFidAsync(fid, ToOptions(m.Mode & ~StyxOpenMode.Truncate, fid.User.Name),
            (m.Mode & StyxOpenMode.RemoveOnClose) != 0, ct);
        return new Rcreate(m.Tag, qid, IoUnit);
    }

    /// <summary>
    /// 9P2000.u hard link: Tcreate with DMLINK and the extension "FID\n" naming the target. The fid then refers to the
    /// new name, opened as asked if it can be (the Linux client clunks it at once either way).
    /// </summary>
    private async ValueTask<Message> CreateLinkAsync(Fid directory, Tcreate m, CancellationToken ct)
    {
        directory.RequireNotOpen();
        if (!directory.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        if (!uint.TryParse(m.Extension.AsSpan().Trim(), out var targetFid))
            throw new StyxErrorException(Errno.EINVAL, $"hard link extension '{m.Extension}' is not a fid");
        var target = _fids.Get(targetFid);
        await directory.Node.LinkAsync(target.Node, CheckedName(m.Name), ct);
        var node = await directory.Node.LookupAsync(m.Name, ct);
        directory.Path = new NodePath(node, directory.Path);
        try
        {
            await OpenFidAsync(directory, ToOptions(m.Mode & ~StyxOpenMode.Truncate, directory.User.Name), removeOnClose: false, ct);
        }
        catch (StyxErrorException)
        {
            // The link exists; a file the linker may not open (a fifo, mode 0) still gets its Rcreate.
        }
        return new Rcreate(m.Tag, node.Qid, IoUnit);
    }

    private async ValueTask<Message> ReadAsync(Tread m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var open = fid.RequireOpen();
        if (!open.Options.CanRead) throw new StyxErrorException(Errno.EBADF, "fid not open for reading");
        uint count = MaxReadCount(m.Count);
        if (open.IsDirectory) return await DirectoryReads.ReadStatsAsync(fid, m, count, Dialect, ct);
        if (m.Offset > long.MaxValue) throw new StyxErrorException(Errno.EINVAL);

        var owner = PooledData.Rent((int)count);
        try
        {
            int read = await open.File!.ReadAsync((long)m.Offset, owner.Array.AsMemory(0, (int)count), ct);
            return new Rread(m.Tag, new ReadOnlyMemory<byte>(owner.Array, 0, read)) { Owner = owner };
        }
        catch
        {
            owner.Return();
            throw;
        }
    }

    private async ValueTask<Message> WriteAsync(Twrite m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var open = fid.RequireOpen();
        if (open.IsDirectory) throw new StyxErrorException(Errno.EISDIR);
        if (!open.Options.CanWrite) throw new StyxErrorException(Errno.EBADF, "fid not open for writing");
        if (m.Offset > long.MaxValue) throw new StyxErrorException(Errno.EINVAL);
        int written = await open.File!.WriteAsync((long)m.Offset, m.Data, ct);
        return new Rwrite(m.Tag, (uint)written);
    }

    private async ValueTask<Message> StatAsync(Tstat m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var attributes = await StatAttributes.GetAsync(fid.Node, Dialect, ct);
        return new Rstat(m.Tag, AttributeConversions.ToStat(attributes, Dialect));
    }

    private async ValueTask<Message> WstatAsync(Twstat m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        var changes = AttributeConversions.FromWstat(m.Stat, Dialect, fid.User.Name);
        var current = await fid.Node.GetAttributesAsync(ct);
        bool rename = m.Stat.Name.Length > 0 && m.Stat.Name != current.Name;
        if (changes.Size is not null && current.IsDirectory && changes.Size != 0)
            throw new StyxErrorException(Errno.EISDIR);
        if (!changes.IsEmpty)
            await fid.Node.SetAttributesAsync(current.IsDirectory ? changes with { Size = null } : changes, ct);
        if (rename) await fid.Node.RenameAsync(null, m.Stat.Name, ct);
        return new Rwstat(m.Tag);
    }

    private static OpenOptions ToOptions(StyxOpenMode mode, string user)
    {
        var access = (StyxOpenMode)((byte)mode & 3) switch
        {
            StyxOpenMode.Write => OpenAccess.Write,
            StyxOpenMode.ReadWrite => OpenAccess.ReadWrite,
            StyxOpenMode.Execute => OpenAccess.Execute,
            _ => OpenAccess.Read,
        };
        return new OpenOptions(access, Truncate: (mode & StyxOpenMode.Truncate) != 0, User: user);
    }
}
