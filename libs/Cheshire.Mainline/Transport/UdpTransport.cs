using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Transport;

/// <summary>
/// A UDP socket. Bound to <see cref="IPAddress.IPv6Any"/> it is dual-stack unless told otherwise (IPv4 peers appear
/// as plain IPv4 endpoints); bound to an IPv4 or IPv6 address it serves that family only. For BEP 32's separate
/// routing tables per family, run two nodes: one on <c>0.0.0.0:port</c>, one on <c>[::]:port</c> with
/// <c>dualStack: false</c>. The transport has a single reader (the node's receive loop).
/// </summary>
public sealed class UdpTransport : ISynchronousDatagramTransport
{
    private const int MaxDatagram = 65_536;
    private readonly Socket _socket;
    private readonly byte[] _receiveBuffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
    private readonly CancellationTokenSource _disposed = new();
    private readonly SocketAddress _received;
    private readonly SocketAddressCache _addresses = new();
    private readonly SocketAddressCache _sources = new();

    public UdpTransport(IPEndPoint bind, bool dualStack = true)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
            _socket.DualMode = dualStack && bind.Address.Equals(IPAddress.IPv6Any);
        if (OperatingSystem.IsWindows())
            _socket.IOControl(-1744830452 /* SIO_UDP_CONNRESET */, [0, 0, 0, 0], null);
        _socket.Bind(bind);
        _received = new SocketAddress(bind.AddressFamily, SocketAddress.GetMaximumAddressSize(bind.AddressFamily));
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    public IReadOnlyList<AddressFamily> AddressFamilies =>
        _socket.AddressFamily == AddressFamily.InterNetworkV6 && _socket.DualMode
            ? [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6]
            : [_socket.AddressFamily];

    /// <summary>Dual-stack on all interfaces.</summary>
    public static UdpTransport DualStack(int port) => new(new IPEndPoint(IPAddress.IPv6Any, port));

    /// <summary>
    /// UDP sends complete at once (the kernel queues the datagram), so this sends synchronously: the socket stays
    /// in blocking mode, which keeps <see cref="Receive"/> a plain blocking call.
    /// </summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint destination, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled(cancellationToken);
        try
        {
            Send(datagram.Span, destination);
        }
        catch (ObjectDisposedException)
        {
            return ValueTask.FromException(new OperationCanceledException());
        }
        return ValueTask.CompletedTask;
    }

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        var address = _addresses.For(destination, _socket);
        if (address is null)
            return; // this socket cannot reach that family
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, address);
        }
        catch (SocketException)
        {
            // Unreachable destinations are ordinary on a DHT.
        }
    }

    public int Receive(Span<byte> buffer, out IPEndPoint source)
    {
        while (true)
        {
            int length;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, _received);
            }
            catch (SocketException) when (!_disposed.IsCancellationRequested)
            {
                continue; // ICMP errors surfacing on the socket
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                throw new OperationCanceledException();
            }
            source = _sources.EndPointOf(_received, _socket.AddressFamily);
            return length;
        }
    }

    public async ValueTask<Datagram> ReceiveAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        var any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, any, linked.Token);
            }
            catch (SocketException) when (!linked.IsCancellationRequested)
            {
                continue; // ICMP errors surfacing on the socket
            }
            catch (ObjectDisposedException)
            {
                throw new OperationCanceledException();
            }
            var source = Compact.Normalize((IPEndPoint)result.RemoteEndPoint);
            return new Datagram(_receiveBuffer.AsSpan(0, result.ReceivedBytes).ToArray(), source);
        }
    }

    public ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        _socket.Dispose();
        _disposed.Dispose();
        return ValueTask.CompletedTask;
    }
}
