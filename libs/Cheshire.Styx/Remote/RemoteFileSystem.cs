using System.Collections.Concurrent;
using System.Net.Sockets;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>
/// Another 9P server as a tree: every node is a path on the remote server, reached with <c>StyxClient</c>
/// (9P2000.L by default; 9P2000.u and 9P2000 when the server only speaks those). Remote errors keep their errno.
/// <code>
/// await using var diod = await RemoteFileSystem.ConnectAsync("127.0.0.1", 5640, aname: "/srv/export", uname: "root");
/// ns.Mount("/diod", diod);
/// </code>
/// Fids: nodes hold paths, not fids (the server has no hook telling a tree when a node is forgotten), and every
/// operation walks a short-lived fid from the attached root and clunks it; an open file holds its own fid until
/// it is closed. Nothing leaks per walk. When the connection drops, the next call on any node or open file (or the
/// next <see cref="AttachAsync"/>) dials and attaches again; nodes walk their paths on the new connection and open
/// files are opened again, or fail with ESTALE if their file is gone or replaced (see <see cref="RemoteOpenFile"/>).
/// </summary>
public sealed class RemoteFileSystem : IFileSystem, IAsyncDisposable
{
    private readonly Func<CancellationToken, ValueTask<Stream>> _dial;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly RemoteRoot _root;
    private readonly ConcurrentDictionary<string, RemoteRoot> _roots = new(StringComparer.Ordinal);
    private RemoteSession? _session;
    private bool _disposed;

    private RemoteFileSystem(Func<CancellationToken, ValueTask<Stream>> dial, string aname, string uname, RemoteOptions options)
    {
        _dial = dial;
        Aname = aname;
        Uname = uname;
        Options = options;
        _root = new RemoteRoot(this, null);
    }

    public string Aname { get; }
    public string Uname { get; }
    public RemoteOptions Options { get; }

    /// <summary>The dialect of the current connection, or null when not connected.</summary>
    public Dialect? Dialect => _session is { IsAlive: true } s ? s.Dialect : null;

    /// <summary>Connects to host:port over TCP and attaches (fails fast if the server is not there).</summary>
    public static Task<RemoteFileSystem> ConnectAsync(string host, int port, string aname = "", string uname = "root",
        RemoteOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(TcpDialer(host, port), aname, uname, options, cancellationToken);

    /// <summary>
    /// A tree that connects at its first attach instead of now: a server that is not up yet (or restarts) is dialled
    /// again at each attach until it answers. Attaches fail with EIO while it cannot be reached.
    /// </summary>
    public static RemoteFileSystem Create(Func<CancellationToken, ValueTask<Stream>> dial, string aname = "",
        string uname = "root", RemoteOptions? options = null) =>
        new(dial, aname, uname, options ?? new RemoteOptions());

    /// <summary>Dials host:port over TCP (Nagle off: 9P is request/response).</summary>
    public static Func<CancellationToken, ValueTask<Stream>> TcpDialer(string host, int port) => async ct =>
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, ct);
            return client.GetStream();
        }
        catch
        {
            client.Dispose();
            throw;
        }
    };

    /// <summary>Dials a Unix stream socket, e.g. a 9P server reachable only on this machine.</summary>
    public static Func<CancellationToken, ValueTask<Stream>> UnixDialer(string socketPath) => async ct =>
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    /// <summary>Connects through <paramref name="dial"/> (any stream: TCP, TLS, a pipe), again on every reconnection.</summary>
    public static async Task<RemoteFileSystem> ConnectAsync(Func<CancellationToken, ValueTask<Stream>> dial, string aname = "",
        string uname = "root", RemoteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var fs = new RemoteFileSystem(dial, aname, uname, options ?? new RemoteOptions());
        await fs.ConnectionAsync(cancellationToken);
        return fs;
    }

    /// <summary>
    /// The remote root of a live connection (reconnecting first if the last one dropped). The request's user is not
    /// forwarded; its aname is with <see cref="RemoteOptions.ForwardAname"/> (one Tattach per aname on the one connection).
    /// </summary>
    public async ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        var root = Options.ForwardAname ? await RootOfAsync(request.Aname, cancellationToken) : _root;
        var session = await root.SessionAsync(cancellationToken);
        return new RemoteNode(root, [], session.RootQid);
    }

    /// <summary>The root of a forwarded aname, kept once the server has accepted it (a refused aname leaves nothing behind).</summary>
    private async ValueTask<RemoteRoot> RootOfAsync(string aname, CancellationToken ct)
    {
        if (_roots.TryGetValue(aname, out var known)) return known;
        var root = new RemoteRoot(this, aname);
        await root.SessionAsync(ct);
        return _roots.GetOrAdd(aname, root);
    }

    /// <summary>The live connection (its session, attached to <see cref="Aname"/> unless forwarding), dialled again if it dropped.</summary>
    internal async Task<RemoteSession> ConnectionAsync(CancellationToken ct)
    {
        if (_session is { IsAlive: true } current) return current;
        await _gate.WaitAsync(ct);
        try
        {
            if (_disposed) throw new StyxErrorException(Errno.EIO, "the remote 9P tree is closed");
            if (_session is { IsAlive: true } raced) return raced;
            if (_session is not null) await _session.DisposeAsync();
            _session = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.ConnectTimeout);
            Stream? stream = null;
            try
            {
                stream = await _dial(timeout.Token);
                _session = await RemoteSession.OpenAsync(stream, Options.ForwardAname ? null : Aname, Uname, Options, timeout.Token);
                return _session;
            }
            catch (Exception e) when (e is IOException or SocketException or StyxProtocolException
                                          || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                if (stream is not null) await stream.DisposeAsync();
                throw new StyxErrorException(Errno.EIO, $"cannot attach to the remote 9P server: {e.Message}");
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync();
        try
        {
            _disposed = true;
            if (_session is not null) await _session.DisposeAsync();
            _session = null;
        }
        finally
        {
            _gate.Release();
        }
    }
}
