using System.Net;
using System.Net.Sockets;
using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Server;

namespace Cheshire.Styx.Tests;

/// <summary>A 9P server on 127.0.0.1 serving one file system, one <see cref="StyxServerConnection"/> per socket.</summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private readonly List<StyxServerConnection> _served = [];

    public LoopbackServer(IFileSystem fileSystem, StyxServerOptions? options = null)
    {
        FileSystem = fileSystem;
        _listener.Start();
        _acceptLoop = AcceptAsync(options);
    }

    public IFileSystem FileSystem { get; }
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Fids held by all of the server's connections so far.</summary>
    public int FidCount
    {
        get
        {
            lock (_connections) return _served.Sum(c => c.Session.FidCount);
        }
    }

    private async Task AcceptAsync(StyxServerOptions? options)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                var connection = new StyxServerConnection(new StreamDuplexPipe(new NetworkStream(socket, ownsSocket: true)), FileSystem, options);
                lock (_connections)
                {
                    _served.Add(connection);
                    _connections.Add(connection.RunAsync(_stop.Token));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException) when (_stop.IsCancellationRequested)
        {
            // Stop() can fail the pending accept with "operation canceled" instead of cancelling it
        }
    }

    public async Task<Socket> ConnectSocketAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, Port);
        return socket;
    }

    public async Task<StyxClient> ConnectAsync(string version = DialectNames.Linux, uint msize = StyxConstants.DefaultMessageSize)
    {
        var socket = await ConnectSocketAsync();
        return await StyxClient.ConnectAsync(new NetworkStream(socket, ownsSocket: true), version, msize);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections) connections = [.. _connections];
        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
