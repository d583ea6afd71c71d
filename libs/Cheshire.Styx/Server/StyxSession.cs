using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>
/// The protocol state of one connection: negotiated dialect and msize, and the fids. Turns each request
/// into a reply; file tree failures surface as <see cref="StyxErrorException"/> for the caller to map.
/// </summary>
public sealed partial class StyxSession
{
    private readonly IFileSystem _fileSystem;
    private readonly StyxServerOptions _options;
    private readonly FidTable _fids = new();

    public StyxSession(IFileSystem fileSystem, StyxServerOptions? options = null)
    {
        _fileSystem = fileSystem;
        _options = options ?? new StyxServerOptions();
        MaxMessageSize = _options.MaxMessageSize;
    }

    public Dialect Dialect { get; private set; } = Dialect.Styx2000;
    public uint MaxMessageSize { get; private set; }
    public int FidCount => _fids.Count;

    private uint IoUnit => MaxMessageSize - StyxConstants.IoHeaderSize;

    /// <summary>Largest data count that fits an Rread/Rreaddir in msize.</summary>
    private uint MaxReadCount(uint requested) => Math.Min(requested, MaxMessageSize - StyxConstants.ReadReplyHeaderSize);

    /// <summary>Handles Tversion: clunks every fid, then negotiates dialect and msize.</summary>
    public async ValueTask<Message> VersionAsync(Tversion m)
    {
        await ResetAsync();
        uint size = Math.Min(m.MaxSize, _options.MaxMessageSize);
        var dialect = DialectNames.Negotiate(m.Version);
        if (dialect is null) return new Rversion(m.Tag, size, DialectNames.Unknown);
        if (size < StyxConstants.MinMessageSize)
            return new Rerror(m.Tag, $"msize {m.MaxSize} too small (minimum {StyxConstants.MinMessageSize})");
        Dialect = dialect.Value;
        MaxMessageSize = size;
        return new Rversion(m.Tag, size, DialectNames.NameOf(Dialect));
    }

    /// <summary>Clunks every fid (Tversion, end of connection).</summary>
    public async ValueTask ResetAsync()
    {
        foreach (var fid in _fids.RemoveAll()) await fid.CloseAsync();
    }

    /// <summary>The error reply for the negotiated dialect.</summary>
    public Message ErrorReply(ushort tag, Errno errno, string? text = null) => Dialect switch
    {
        Dialect.Linux => new Rlerror(tag, errno),
        Dialect.Unix => new Rerror(tag, text ?? ErrnoText.Of(errno), errno),
        _ => new Rerror(tag, ErrnoText.Of(errno)),
    };

    /// <summary>Answers one request other than Tversion and Tflush (the connection handles those).</summary>
    public ValueTask<Message> HandleAsync(Message request, CancellationToken ct) => request switch
    {
        // ENOENT is how 9P2000.L servers (diod) say so; libnpclient then attaches without an afid.
        Tauth m => throw new StyxErrorException(Errno.ENOENT, $"authentication not required for {m.Uname}"),
        Tattach m => AttachAsync(m, ct),
        Twalk m => WalkAsync(m, ct),
        Topen m => OpenAsync(m, ct),
        Tcreate m => CreateAsync(m, ct),
        Tread m => ReadAsync(m, ct),
        Twrite m => WriteAsync(m, ct),
        Tclunk m => ClunkAsync(m),
        Tremove m => RemoveAsync(m, ct),
        Tstat m => StatAsync(m, ct),
        Twstat m => WstatAsync(m, ct),
        Tstatfs m => StatfsAsync(m, ct),
        Tlopen m => LopenAsync(m, ct),
        Tlcreate m => LcreateAsync(m, ct),
        Tsymlink m => SymlinkAsync(m, ct),
        Tmknod m => MknodAsync(m, ct),
        Trename m => RenameAsync(m, ct),
        Treadlink m => ReadlinkAsync(m, ct),
        Tgetattr m => GetattrAsync(m, ct),
        Tsetattr m => SetattrAsync(m, ct),
        Txattrwalk m => XattrwalkAsync(m),
        Txattrcreate m => XattrcreateAsync(m),
        Treaddir m => ReaddirAsync(m, ct),
        Tfsync m => FsyncAsync(m, ct),
        Tlock m => LockAsync(m, ct),
        Tgetlock m => GetlockAsync(m, ct),
        Tlink m => LinkAsync(m, ct),
        Tmkdir m => MkdirAsync(m, ct),
        Trenameat m => RenameatAsync(m, ct),
        Tunlinkat m => UnlinkatAsync(m, ct),
        _ => throw new StyxErrorException(Errno.EPROTO, $"{request.Type} is not a request this server answers"),
    };

    private async ValueTask<Message> AttachAsync(Tattach m, CancellationToken ct)
    {
        if (m.Afid != StyxConstants.NoFid) throw new StyxErrorException(Errno.EINVAL, "authentication not required");
        _fids.EnsureFree(m.Fid);
        var root = await _fileSystem.AttachAsync(new AttachRequest(m.Uname, m.Aname, m.NUname), ct);
        uint uid = m.NUname == Tauth.NoUid ? 0 : m.NUname;
        _fids.Add(new Fid(m.Fid, new NodePath(root, null), new FidUser(m.Uname.Length > 0 ? m.Uname : "none", uid)));
        return new Rattach(m.Tag, root.Qid);
    }

    private async ValueTask<Message> WalkAsync(Twalk m, CancellationToken ct)
    {
        var fid = _fids.Get(m.Fid);
        if (m.NewFid != m.Fid) _fids.EnsureFree(m.NewFid);
        var path = fid.Path;
        var qids = m.Names.Count == 0 ? [] : new Qid[m.Names.Count];
        int walked = 0;
        for (; walked < m.Names.Count; walked++)
        {
            var name = m.Names[walked];
            try
            {
                if (!path.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
                path = name switch
                {
                    ".." => path.Up,
                    "." => path,
                    _ when name.Length == 0 || name.Contains('/') => throw new StyxErrorException(Errno.EINVAL, $"bad name '{name}'"),
                    _ => new NodePath(await path.Node.LookupAsync(name, ct), path),
                };
            }
            catch (StyxErrorException) when (walked > 0)
            {
                break;
            }
            qids[walked] = path.Node.Qid;
        }
        if (walked < m.Names.Count) return new Rwalk(m.Tag, qids[..walked]);
        if (m.NewFid == m.Fid)
        {
            fid.RequireNotOpen();
            fid.Path = path;
            await fid.SetCursorAsync(null);
        }
        else
        {
            _fids.Add(new Fid(m.NewFid, path, fid.User));
        }
        return new Rwalk(m.Tag, qids);
    }

    private async ValueTask<Message> ClunkAsync(Tclunk m)
    {
        var fid = _fids.Remove(m.Fid);
        await fid.CloseAsync();
        return new Rclunk(m.Tag);
    }

    private async ValueTask<Message> RemoveAsync(Tremove m, CancellationToken ct)
    {
        var fid = _fids.Remove(m.Fid);
        try
        {
            await fid.Node.RemoveAsync(ct);
        }
        finally
        {
            await fid.CloseAsync();
        }
        return new Rremove(m.Tag);
    }

    /// <summary>Opens the node of a fid (a directory is opened for listing only).</summary>
    private async ValueTask<Qid> OpenFidAsync(Fid fid, OpenOptions options, bool removeOnClose, CancellationToken ct)
    {
        fid.RequireNotOpen();
        var qid = fid.Node.Qid;
        OpenState state;
        if (qid.IsDirectory)
        {
            if (options.CanWrite || options.Truncate) throw new StyxErrorException(Errno.EISDIR);
            state = new OpenState(null, options, isDirectory: true, removeOnClose);
        }
        else
        {
            state = new OpenState(await fid.Node.OpenAsync(options, ct), options, isDirectory: false, removeOnClose);
        }
        if (!fid.TrySetOpen(state))
        {
            if (state.File is not null) await state.File.DisposeAsync();
            throw new StyxErrorException(Errno.EBADF, "fid is already open");
        }
        await fid.SetCursorAsync(null);
        return fid.Node.Qid;
    }

    /// <summary>Creates a child of the fid's directory; the fid then refers to the new node.</summary>
    private async ValueTask<INode> CreateChildAsync(Fid fid, string name, uint mode, uint gid, string? target, CancellationToken ct,
        (uint Major, uint Minor) device = default)
    {
        fid.RequireNotOpen();
        if (!fid.Node.Qid.IsDirectory) throw new StyxErrorException(Errno.ENOTDIR);
        var options = new CreateOptions(mode, fid.User.Id, gid, fid.User.Name, target) { DeviceMajor = device.Major, DeviceMinor = device.Minor };
        return await fid.Node.CreateAsync(name, options, ct);
    }
}
