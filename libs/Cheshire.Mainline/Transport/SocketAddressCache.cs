using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Transport;

/// <summary>
/// Remembers the last <see cref="IPEndPoint"/> ↔ <see cref="SocketAddress"/> conversion, so a stream of datagrams
/// from or to one peer allocates neither. One cache per direction; each is used by one thread at a time.
/// </summary>
internal sealed class SocketAddressCache
{
    private readonly Lock _lock = new();
    private IPEndPoint? _endPoint;
    private SocketAddress? _address;

    /// <summary>The address to send to, mapped for a dual-stack socket; null when the socket cannot reach it.</summary>
    public SocketAddress? For(IPEndPoint destination, Socket socket)
    {
        lock (_lock)
        {
            if (ReferenceEquals(destination, _endPoint) || destination.Equals(_endPoint))
                return _address;
            IPEndPoint target;
            if (socket.DualMode && destination.AddressFamily == AddressFamily.InterNetwork)
                target = new IPEndPoint(destination.Address.MapToIPv6(), destination.Port);
            else if (socket.AddressFamily != destination.AddressFamily)
                return null;
            else
                target = destination;
            _address = target.Serialize();
            _endPoint = destination;
            return _address;
        }
    }

    /// <summary>The normalized source endpoint of a received address (IPv4-mapped reported as IPv4).</summary>
    public IPEndPoint EndPointOf(SocketAddress received, AddressFamily family)
    {
        if (_address is { } known && known.Equals(received))
            return _endPoint!;
        var any = new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var endPoint = Compact.Normalize((IPEndPoint)any.Create(received));
        var copy = new SocketAddress(received.Family, received.Size);
        received.Buffer.Span[..received.Size].CopyTo(copy.Buffer.Span);
        _address = copy;
        _endPoint = endPoint;
        return endPoint;
    }
}
