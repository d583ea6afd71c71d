using System.Net;
using System.Net.Sockets;

namespace Cheshire.Kademlia.Transport;

/// <summary>
/// UDP over System.Net.Sockets. Bind to an IPv4 or IPv6 address; binding <see cref="IPAddress.IPv6Any"/>
/// makes a dual-mode socket that also serves IPv4. IPv4-mapped sources are reported as IPv4.
/// </summary>
public sealed class UdpTransport : IDatagramTransport
{
    public const int MaxDatagram = 65_507;

    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiveLoop;

    public UdpTransport(IPEndPoint bind)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any))
            _socket.DualMode = true;
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public UdpTransport(IPAddress address, int port) : this(new IPEndPoint(address, port)) { }

    public IPEndPoint LocalEndPoint { get; }

    public void Start(DatagramHandler handler)
    {
        if (_receiveLoop is not null) throw new InvalidOperationException("The transport is already started.");
        _receiveLoop = Task.Run(() => ReceiveLoop(handler));
    }

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (datagram.Length > MaxDatagram) return;
        try
        {
            var target = remote;
            if (_socket.AddressFamily == AddressFamily.InterNetworkV6 && remote.AddressFamily == AddressFamily.InterNetwork)
            {
                if (!_socket.DualMode) return;
                target = new IPEndPoint(remote.Address.MapToIPv6(), remote.Port);
            }
            else if (_socket.AddressFamily == AddressFamily.InterNetwork && remote.AddressFamily != AddressFamily.InterNetwork)
            {
                if (!remote.Address.IsIPv4MappedToIPv6) return;
                target = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
            }
            _socket.SendTo(datagram, SocketFlags.None, target);
        }
        catch (SocketException)
        {
            // unreachable, buffer full: the request times out and is retried
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveLoop(DatagramHandler handler)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65_536, pinned: true);
        EndPoint any = _socket.AddressFamily == AddressFamily.InterNetworkV6
            ? new IPEndPoint(IPAddress.IPv6Any, 0)
            : new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. ICMP port unreachable reported on the next receive
            }
            var remote = (IPEndPoint)result.RemoteEndPoint;
            if (remote.Address.IsIPv4MappedToIPv6)
                remote = new IPEndPoint(remote.Address.MapToIPv4(), remote.Port);
            try
            {
                handler(buffer.AsSpan(0, result.ReceivedBytes), remote);
            }
            catch (Exception)
            {
                // the engine never throws on input; this guards the loop against a bug in one handler
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_receiveLoop is not null)
            await _receiveLoop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
