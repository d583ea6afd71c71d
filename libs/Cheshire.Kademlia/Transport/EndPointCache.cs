using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Cheshire.Kademlia.Transport;

/// <summary>
/// Remembers <see cref="IPEndPoint"/> ↔ <see cref="SocketAddress"/> conversions for recently seen peers, so the
/// datagrams of a busy node allocate neither. Bounded: past <see cref="Capacity"/> entries it starts over.
/// </summary>
internal sealed class EndPointCache(Socket socket)
{
    public const int Capacity = 8192;

    private readonly ConcurrentDictionary<IPEndPoint, SocketAddress> _outgoing = new();
    private readonly ConcurrentDictionary<SocketAddress, IPEndPoint> _incoming = new();

    /// <summary>The address to send to, mapped for a dual-stack socket; null when the socket cannot reach it.</summary>
    public SocketAddress? AddressOf(IPEndPoint destination)
    {
        if (_outgoing.TryGetValue(destination, out var known)) return known;
        IPEndPoint target;
        if (socket.AddressFamily == AddressFamily.InterNetworkV6 && destination.AddressFamily == AddressFamily.InterNetwork)
        {
            if (!socket.DualMode) return null;
            target = new IPEndPoint(destination.Address.MapToIPv6(), destination.Port);
        }
        else if (socket.AddressFamily == AddressFamily.InterNetwork && destination.AddressFamily != AddressFamily.InterNetwork)
        {
            if (!destination.Address.IsIPv4MappedToIPv6) return null;
            target = new IPEndPoint(destination.Address.MapToIPv4(), destination.Port);
        }
        else
        {
            target = destination;
        }
        var address = target.Serialize();
        if (_outgoing.Count >= Capacity) _outgoing.Clear();
        _outgoing[destination] = address;
        return address;
    }

    /// <summary>The source endpoint of a received address (IPv4-mapped reported as IPv4); copies the address when new.</summary>
    public IPEndPoint EndPointOf(SocketAddress received)
    {
        if (_incoming.TryGetValue(received, out var known)) return known;
        var any = new IPEndPoint(received.Family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var endPoint = (IPEndPoint)any.Create(received);
        if (endPoint.Address.IsIPv4MappedToIPv6) endPoint = new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port);
        var copy = new SocketAddress(received.Family, received.Size);
        received.Buffer.Span[..received.Size].CopyTo(copy.Buffer.Span);
        if (_incoming.Count >= Capacity) _incoming.Clear();
        _incoming[copy] = endPoint;
        return endPoint;
    }
}
