using System.Collections.Concurrent;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>
/// One connection to the remote server and its attached root fid. Every remote call goes through
/// <see cref="RunAsync{T}"/>: a 9P error passes through with its errno, a broken connection marks the session
/// dead and becomes EIO. A dead session stays dead; nodes and open files hold a <see cref="RemoteRoot"/>, which
/// hands them the next session. Further roots on the same connection (<see cref="RootAsync"/>, one Tattach per aname)
/// are sessions of their own that share the client and die with it.
/// </summary>
internal sealed class RemoteSession : IAsyncDisposable
{
    private readonly RemoteSession? _connection;
    private readonly ConcurrentDictionary<string, Task<RemoteSession>> _roots = new(StringComparer.Ordinal);
    private volatile bool _broken;

    private RemoteSession(StyxClient client, uint rootFid, Qid rootQid, RemoteSession? connection = null)
    {
        Client = client;
        RootFid = rootFid;
        RootQid = rootQid;
        _connection = connection;
    }

    public StyxClient Client { get; }
    public WalkedFids Walked { get; } = new();
    public uint RootFid { get; }
    public Qid RootQid { get; }
    public Dialect Dialect => Client.Dialect;
    public bool IsAlive => !_broken && Client.IsConnected && (_connection is null || _connection.IsAlive);

    /// <summary>Connects and attaches <paramref name="aname"/>; with null, attaches nothing (roots come from <see cref="RootAsync"/>).</summary>
    public static async Task<RemoteSession> OpenAsync(Stream stream, string? aname, string uname, RemoteOptions options,
        CancellationToken ct)
    {
        var client = await StyxClient.ConnectAsync(stream, options.Version, options.MaxMessageSize, ct);
        if (aname is null) return new RemoteSession(client, StyxConstants.NoFid, default);
        try
        {
            uint root = client.NewFid();
            var qid = await client.AttachAsync(root, uname, aname, options.NUname, ct: ct);
            return new RemoteSession(client, root, qid);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public async Task<T> RunAsync<T>(Func<StyxClient, Task<T>> operation)
    {
        if (!IsAlive) throw Stale();
        try
        {
            return await operation(Client);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or StyxProtocolException)
        {
            _broken = true;
            throw new StyxErrorException(Errno.EIO, $"remote 9P server: {e.Message}");
        }
    }

    public Task RunAsync(Func<StyxClient, Task> operation) => RunAsync(async c =>
    {
        await operation(c);
        return true;
    });

    /// <summary>Walks a temporary fid from the root to <paramref name="path"/>, runs <paramref name="operation"/> on it, and clunks it.</summary>
    public Task<T> WithFidAsync<T>(IReadOnlyList<string> path, Func<StyxClient, uint, Task<T>> operation, CancellationToken ct) =>
        RunAsync(async c =>
        {
            uint fid = await WalkAsync(c, path, ct);
            try
            {
                return await operation(c, fid);
            }
            finally
            {
                Release(fid);
            }
        });

    public Task WithFidAsync(IReadOnlyList<string> path, Func<StyxClient, uint, Task> operation, CancellationToken ct) =>
        WithFidAsync(path, async (c, fid) =>
        {
            await operation(c, fid);
            return true;
        }, ct);

    /// <summary>A new fid for <paramref name="path"/>; the caller owns it (clunk or <see cref="Release"/>).</summary>
    public async Task<uint> WalkAsync(StyxClient client, IReadOnlyList<string> path, CancellationToken ct)
    {
        uint fid = client.NewFid();
        await client.WalkPathAsync(RootFid, fid, string.Join('/', path), ct);
        return fid;
    }

    /// <summary>Clunks a fid without waiting for Rclunk (the next request is not held up by it).</summary>
    public void Release(uint fid)
    {
        if (!IsAlive) return;
        _ = ClunkQuietlyAsync(fid);
    }

    private async Task ClunkQuietlyAsync(uint fid)
    {
        try
        {
            await Client.ClunkAsync(fid);
        }
        catch (Exception e) when (e is StyxErrorException or IOException or ObjectDisposedException or StyxProtocolException)
        {
            // The fid is gone either way: clunk frees it even on error, and a dead connection frees all fids.
        }
    }

    /// <summary>
    /// The root of <paramref name="aname"/> on this connection: attached once (a fid of its own) and shared while the
    /// connection lives. A refused attach (the server's Rerror) is not kept: the next call asks again.
    /// </summary>
    public async Task<RemoteSession> RootAsync(string aname, string uname, uint nUname, CancellationToken ct)
    {
        var attach = _roots.GetOrAdd(aname, a => AttachRootAsync(a, uname, nUname));
        try
        {
            return await attach.WaitAsync(ct);
        }
        catch when (attach.IsFaulted || attach.IsCanceled)
        {
            _roots.TryRemove(KeyValuePair.Create(aname, attach));
            throw;
        }
    }

    private Task<RemoteSession> AttachRootAsync(string aname, string uname, uint nUname) => RunAsync(async c =>
    {
        uint fid = c.NewFid();
        var qid = await c.AttachAsync(fid, uname, aname, nUname);
        return new RemoteSession(c, fid, qid, this);
    });

    private static StyxErrorException Stale() => new(Errno.EIO, "the connection to the remote 9P server was lost");

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            // A root of a shared connection: its fid goes, the connection stays.
            Release(RootFid);
            _broken = true;
            Walked.Dispose();
            return;
        }
        _broken = true;
        Walked.Dispose();
        foreach (var root in _roots.Values)
            if (root.IsCompletedSuccessfully) root.Result.Walked.Dispose();
        await Client.DisposeAsync();
    }
}
