using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Client;

/// <summary>Typed calls: each sends one T-message and returns the useful part of its R-message.</summary>
public sealed partial class StyxClient
{
    private async Task<T> CallAsync<T>(Message request, CancellationToken ct) where T : Message
    {
        var reply = await RpcAsync(request, ct);
        switch (reply)
        {
            case T expected:
                return expected;
            case Rerror error:
                throw new StyxErrorException(error.Errno != Errno.None ? error.Errno : ErrnoText.Parse(error.Ename), error.Ename);
            case Rlerror error:
                throw new StyxErrorException(error.Errno);
            default:
                reply.Release();
                throw new StyxProtocolException($"expected {typeof(T).Name}, got {reply.Type}", reply.Tag, reply.Type);
        }
    }

    /// <summary>Tversion: negotiates msize and dialect. Every fid of the connection is clunked by the server.</summary>
    public async Task<Rversion> VersionAsync(uint maxMessageSize, string version, CancellationToken ct = default) =>
        await CallAsync<Rversion>(new Tversion(StyxConstants.NoTag, maxMessageSize, version), ct);

    public async Task<Qid> AttachAsync(uint fid, string uname, string aname, uint nUname = Tauth.NoUid,
        uint afid = StyxConstants.NoFid, CancellationToken ct = default) =>
        (await CallAsync<Rattach>(new Tattach(0, fid, afid, uname, aname, nUname), ct)).Qid;

    public async Task<Qid> AuthAsync(uint afid, string uname, string aname, uint nUname = Tauth.NoUid, CancellationToken ct = default) =>
        (await CallAsync<Rauth>(new Tauth(0, afid, uname, aname, nUname), ct)).Qid;

    /// <summary>Twalk. Returns the qids walked; fewer than names means newfid was not created.</summary>
    public async Task<IReadOnlyList<Qid>> WalkAsync(uint fid, uint newFid, IReadOnlyList<string> names, CancellationToken ct = default) =>
        (await CallAsync<Rwalk>(new Twalk(0, fid, newFid, names), ct)).Qids;

    /// <summary>Walks a whole slash-separated path (in steps of 16 names) to newfid; throws ENOENT if it stops short.</summary>
    public async Task<Qid> WalkPathAsync(uint fid, uint newFid, string path, CancellationToken ct = default)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var qids = await WalkAsync(fid, newFid, names.Take(StyxConstants.MaxWalkElements).ToArray(), ct);
        if (qids.Count < Math.Min(names.Length, StyxConstants.MaxWalkElements)) throw new StyxErrorException(Errno.ENOENT);
        var last = qids.Count > 0 ? qids[^1] : default;
        for (int done = StyxConstants.MaxWalkElements; done < names.Length; done += StyxConstants.MaxWalkElements)
        {
            var step = names.Skip(done).Take(StyxConstants.MaxWalkElements).ToArray();
            qids = await WalkAsync(newFid, newFid, step, ct);
            if (qids.Count < step.Length)
            {
                await ClunkAsync(newFid, ct);
                throw new StyxErrorException(Errno.ENOENT);
            }
            last = qids[^1];
        }
        return last;
    }

    public async Task<Ropen> OpenAsync(uint fid, StyxOpenMode mode, CancellationToken ct = default) =>
        await CallAsync<Ropen>(new Topen(0, fid, mode), ct);

    public async Task<Rlopen> LopenAsync(uint fid, uint flags, CancellationToken ct = default) =>
        await CallAsync<Rlopen>(new Tlopen(0, fid, flags), ct);

    /// <summary>Tcreate: fid (a directory) becomes the new file, opened with mode.</summary>
    public async Task<Rcreate> CreateAsync(uint fid, string name, uint perm, StyxOpenMode mode, string extension = "", CancellationToken ct = default) =>
        await CallAsync<Rcreate>(new Tcreate(0, fid, name, perm, mode, extension), ct);

    public async Task<Rlcreate> LcreateAsync(uint fid, string name, uint flags, uint mode, uint gid = 0, CancellationToken ct = default) =>
        await CallAsync<Rlcreate>(new Tlcreate(0, fid, name, flags, mode, gid), ct);

    public async Task<Qid> MkdirAsync(uint directoryFid, string name, uint mode, uint gid = 0, CancellationToken ct = default) =>
        (await CallAsync<Rmkdir>(new Tmkdir(0, directoryFid, name, mode, gid), ct)).Qid;

    /// <summary>Tread into <paramref name="buffer"/> (at most <see cref="MaxIoSize"/> bytes); returns the count, 0 at end of file.</summary>
    public async Task<int> ReadAsync(uint fid, ulong offset, Memory<byte> buffer, CancellationToken ct = default)
    {
        uint count = (uint)Math.Min(buffer.Length, MaxMessageSize - StyxConstants.ReadReplyHeaderSize);
        var reply = await CallAsync<Rread>(new Tread(0, fid, offset, count), ct);
        try
        {
            int length = Math.Min(reply.Data.Length, buffer.Length);
            reply.Data.Span[..length].CopyTo(buffer.Span);
            return length;
        }
        finally
        {
            reply.Release();
        }
    }

    /// <summary>Reads a whole file from offset 0 until a read returns nothing.</summary>
    public async Task<byte[]> ReadAllAsync(uint fid, CancellationToken ct = default)
    {
        var result = new MemoryStream();
        var buffer = new byte[MaxIoSize];
        int read;
        while ((read = await ReadAsync(fid, (ulong)result.Length, buffer, ct)) > 0) result.Write(buffer, 0, read);
        return result.ToArray();
    }

    /// <summary>Twrite of at most <see cref="MaxIoSize"/> bytes; returns the count the server accepted.</summary>
    public async Task<int> WriteAsync(uint fid, ulong offset, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        if (data.Length > MaxIoSize) data = data[..MaxIoSize];
        return (int)(await CallAsync<Rwrite>(new Twrite(0, fid, offset, data), ct)).Count;
    }

    /// <summary>Writes all of <paramref name="data"/> in msize-sized chunks.</summary>
    public async Task WriteAllAsync(uint fid, ulong offset, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        while (!data.IsEmpty)
        {
            int written = await WriteAsync(fid, offset, data, ct);
            if (written <= 0) throw new StyxErrorException(Errno.EIO, "server accepted no bytes");
            data = data[written..];
            offset += (ulong)written;
        }
    }

    public async Task ClunkAsync(uint fid, CancellationToken ct = default) => await CallAsync<Rclunk>(new Tclunk(0, fid), ct);

    public async Task RemoveAsync(uint fid, CancellationToken ct = default) => await CallAsync<Rremove>(new Tremove(0, fid), ct);

    public async Task<StatEntry> StatAsync(uint fid, CancellationToken ct = default) =>
        (await CallAsync<Rstat>(new Tstat(0, fid), ct)).Stat;

    public async Task WstatAsync(uint fid, StatEntry stat, CancellationToken ct = default) =>
        await CallAsync<Rwstat>(new Twstat(0, fid, stat), ct);

    public async Task<Rgetattr> GetattrAsync(uint fid, ulong mask = GetattrMask.Basic, CancellationToken ct = default) =>
        await CallAsync<Rgetattr>(new Tgetattr(0, fid, mask), ct);

    public async Task SetattrAsync(Tsetattr request, CancellationToken ct = default) =>
        await CallAsync<Rsetattr>(request, ct);

    public async Task<Rstatfs> StatfsAsync(uint fid, CancellationToken ct = default) =>
        await CallAsync<Rstatfs>(new Tstatfs(0, fid), ct);

    /// <summary>Treaddir: dirents from the cookie <paramref name="offset"/>; an empty list means the end.</summary>
    public async Task<List<Dirent>> ReaddirAsync(uint fid, ulong offset, uint count = 8192, CancellationToken ct = default)
    {
        var reply = await CallAsync<Rreaddir>(new Treaddir(0, fid, offset, Math.Min(count, (uint)MaxIoSize)), ct);
        try
        {
            return Dirent.ReadAll(reply.Data.Span);
        }
        finally
        {
            reply.Release();
        }
    }

    public async Task RenameatAsync(uint oldDirectoryFid, string oldName, uint newDirectoryFid, string newName, CancellationToken ct = default) =>
        await CallAsync<Rrenameat>(new Trenameat(0, oldDirectoryFid, oldName, newDirectoryFid, newName), ct);

    public async Task UnlinkatAsync(uint directoryFid, string name, uint flags = 0, CancellationToken ct = default) =>
        await CallAsync<Runlinkat>(new Tunlinkat(0, directoryFid, name, flags), ct);

    public async Task FsyncAsync(uint fid, CancellationToken ct = default) => await CallAsync<Rfsync>(new Tfsync(0, fid, 0), ct);

    public async Task<Qid> SymlinkAsync(uint directoryFid, string name, string target, uint gid = 0, CancellationToken ct = default) =>
        (await CallAsync<Rsymlink>(new Tsymlink(0, directoryFid, name, target, gid), ct)).Qid;

    public async Task<Qid> MknodAsync(uint directoryFid, string name, uint mode, uint major = 0, uint minor = 0, uint gid = 0,
        CancellationToken ct = default) =>
        (await CallAsync<Rmknod>(new Tmknod(0, directoryFid, name, mode, major, minor, gid), ct)).Qid;

    public async Task<string> ReadlinkAsync(uint fid, CancellationToken ct = default) =>
        (await CallAsync<Rreadlink>(new Treadlink(0, fid), ct)).Target;

    public async Task LinkAsync(uint directoryFid, uint fid, string name, CancellationToken ct = default) =>
        await CallAsync<Rlink>(new Tlink(0, directoryFid, fid, name), ct);

    /// <summary>Trename (the older 9P2000.L rename, for servers without Trenameat such as diod).</summary>
    public async Task RenameAsync(uint fid, uint newDirectoryFid, string newName, CancellationToken ct = default) =>
        await CallAsync<Rrename>(new Trename(0, fid, newDirectoryFid, newName), ct);
}
