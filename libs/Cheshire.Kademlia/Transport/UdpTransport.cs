using System.Net;
using System.Net.Sockets;

namespace Cheshire.Kademlia.Transport;

/// <summary>
/// UDP over System.Net.Sockets. Bind to an IPv4 or IPv6 address; binding <see cref="IPAddress.IPv6Any"/>
/// makes a dual-mode socket that also serves IPv4. IPv4-mapped sources are reported as IPv4.
/// One dedicated thread receives (a blocking receive into a reused buffer) and runs the handler;
/// sends are synchronous, as a UDP send completes once the kernel has queued the datagram.
/// </summary>
public sealed class UdpTransport : IDatagramTransport
{
    public const int MaxDatagram = 65_507;

    private readonly Socket _socket;
    private readonly EndPointCache _endPoints;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _receiver;

    public UdpTransport(IPEndPoint bind)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6 && bind.Address.Equals(IPAddress.IPv6Any))
            _socket.DualMode = true;
        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bind);
        _endPoints = new EndPointCache(_socket);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public UdpTransport(IPAddress address, int port) : this(new IPEndPoint(address, port)) { }

    public IPEndPoint LocalEndPoint { get; }

    public void Start(DatagramHandler handler)
    {
        if (_receiver is not null) throw new InvalidOperationException("The transport is already started.");
        _receiver = new Thread(() => ReceiveLoop(handler)) { IsBackground = true, Name = $"kademlia udp {LocalEndPoint}" };
        _receiver.Start();
    }

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (datagram.Length > MaxDatagram) return;
        try
        {
            if (_endPoints.AddressOf(remote) is { } address)
                _socket.SendTo(datagram, SocketFlags.None, address);
        }
        catch (SocketException)
        {
            // unreachable, buffer full: the request times out and is retried
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void ReceiveLoop(DatagramHandler handler)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65_536, pinned: true);
        var received = new SocketAddress(_socket.AddressFamily, SocketAddress.GetMaximumAddressSize(_socket.AddressFamily));
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, received);
            }
            catch (SocketException) when (!_stop.IsCancellationRequested)
            {
                continue; // e.g. ICMP port unreachable reported on the next receive
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                handler(buffer.AsSpan(0, length), _endPoints.EndPointOf(received));
            }
            catch (Exception)
            {
                // the engine never throws on input; this guards the loop against a bug in one handler
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested) return ValueTask.CompletedTask;
        _stop.Cancel();
        _socket.Dispose();
        if (_receiver is { } receiver && receiver != Thread.CurrentThread) receiver.Join(TimeSpan.FromSeconds(5));
        _stop.Dispose();
        return ValueTask.CompletedTask;
    }
}
