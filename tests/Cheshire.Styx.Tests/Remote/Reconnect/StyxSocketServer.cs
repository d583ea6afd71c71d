using System.Net.Sockets;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Server;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// The project's 9P server on a Unix socket that can be killed (listener and every connection closed, the tree dropped)
/// and started again at the same path with a fresh tree from <paramref name="tree"/>, as a restarted server process
/// would be; or have only its connections dropped while it keeps listening (a link that broke). The socket is in a
/// temporary folder of its own, removed on dispose.
/// </summary>
internal sealed class StyxSocketServer(Func<IFileSystem> tree) : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cheshire-9p-").FullName;
    private readonly Lock _lock = new();
    private readonly List<Socket> _accepted = [];
    private readonly List<Task> _served = [];
    private Socket? _listener;
    private CancellationTokenSource? _stop;
    private Task? _accepting;
    private int _connections;

    public string SocketPath => Path.Combine(_folder, "9p.sock");

    /// <summary>The tree the running server serves.</summary>
    public IFileSystem? Tree { get; private set; }

    /// <summary>Connections accepted since the first start.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Start()
    {
        File.Delete(SocketPath);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen();
        (_listener, _stop, Tree) = (listener, new CancellationTokenSource(), tree());
        _accepting = AcceptAsync(listener, Tree, _stop.Token);
    }

    private async Task AcceptAsync(Socket listener, IFileSystem served, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync(ct);
                Interlocked.Increment(ref _connections);
                var connection = new StyxServerConnection(new StreamDuplexPipe(new NetworkStream(socket, ownsSocket: true)), served);
                lock (_lock)
                {
                    _accepted.Add(socket);
                    _served.Add(connection.RunAsync(ct));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // killed
        }
    }

    /// <summary>
    /// Closes every accepted connection; the server keeps listening. <paramref name="closed"/> runs once the sockets
    /// are closed, before waiting for their connections to end.
    /// </summary>
    public async Task DropConnectionsAsync(Action? closed = null)
    {
        Task[] served;
        lock (_lock)
        {
            foreach (var socket in _accepted) socket.Dispose();
            _accepted.Clear();
            served = [.. _served];
            _served.Clear();
        }
        closed?.Invoke();
        await Task.WhenAll(served.Select(async t =>
        {
            try
            {
                await t;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or OperationCanceledException)
            {
            }
        })).WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Stops listening, closes every connection and drops the tree: nothing answers at the socket path.</summary>
    public async Task KillAsync()
    {
        if (_listener is null) return;
        await _stop!.CancelAsync();
        _listener.Dispose();
        await _accepting!;
        await DropConnectionsAsync();
        if (Tree is IAsyncDisposable disposable) await disposable.DisposeAsync();
        _stop.Dispose();
        (_listener, _stop, Tree) = (null, null, null);
        File.Delete(SocketPath);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
