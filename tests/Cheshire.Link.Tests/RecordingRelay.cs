using System.Net;
using System.Net.Sockets;

namespace Cheshire.Link.Tests;

/// <summary>
/// A TCP forwarder on 127.0.0.1 between a dialer and a listener that keeps a copy of every byte it carries, both ways:
/// what someone on the path would capture.
/// </summary>
internal sealed class RecordingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly MemoryStream _captured = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly List<TcpClient> _sockets = [];
    private readonly Task _accepting;

    public RecordingRelay(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    public byte[] Captured()
    {
        lock (_gate) return _captured.ToArray();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
                var outbound = new TcpClient();
                await outbound.ConnectAsync(_target, _stop.Token);
                lock (_gate)
                {
                    _sockets.Add(inbound);
                    _sockets.Add(outbound);
                    _pumps.Add(PumpAsync(inbound.GetStream(), outbound.GetStream()));
                    _pumps.Add(PumpAsync(outbound.GetStream(), inbound.GetStream()));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                lock (_gate) _captured.Write(buffer, 0, n);
                await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] pumps;
        lock (_gate)
        {
            foreach (var socket in _sockets) socket.Dispose();
            pumps = [.. _pumps];
        }
        await Task.WhenAll(pumps);
        _stop.Dispose();
    }
}
