using System.Net;
using System.Net.Sockets;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Server;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// A test-only 9P server in this process on 127.0.0.1: <see cref="LocalFileSystem"/> exporting one directory,
/// one <see cref="StyxServerConnection"/> per connection, with styx-root's message size and concurrency.
/// </summary>
public sealed class LocalExportServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly LocalFileSystem _tree;
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    public LocalExportServer(string directory)
    {
        ExportDir = directory;
        _tree = new LocalFileSystem(directory);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string ExportDir { get; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Describe()
    {
        lock (_connections)
        {
            return $"LocalFileSystem({ExportDir}) on 127.0.0.1:{Port}: {_connections.Count} connection(s), " +
                   $"{_connections.Count(c => c.IsFaulted)} ended with an error: " +
                   string.Join("; ", _connections.Where(c => c.IsFaulted).Select(c => c.Exception!.GetBaseException().Message));
        }
    }

    private async Task AcceptAsync()
    {
        var options = new StyxServerOptions { MaxMessageSize = 512 * 1024 + 24, MaxConcurrentRequests = 32 };
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                var connection = new StyxServerConnection(new StreamDuplexPipe(new NetworkStream(socket, ownsSocket: true)), _tree, options);
                lock (_connections)
                {
                    _connections.Add(connection.RunAsync(_stop.Token));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }
        try
        {
            await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or IOException)
        {
        }
        _tree.Dispose();
        _stop.Dispose();
    }
}
