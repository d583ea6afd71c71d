using System.Net;
using System.Net.Sockets;

namespace Cheshire.Mainline.Transport;

/// <summary>One received datagram.</summary>
public readonly record struct Datagram(ReadOnlyMemory<byte> Data, IPEndPoint Source);

/// <summary>
/// What the engine needs from the network: send a datagram, receive the next one. Implementations: real UDP
/// (<see cref="UdpTransport"/>) and an in-process network for simulations (<see cref="InMemoryNetwork"/>).
/// </summary>
public interface IDatagramTransport : IAsyncDisposable
{
    /// <summary>The bound endpoint (its port is what other nodes see).</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>The address families this transport can reach (BEP 32: what the node asks for with <c>want</c>).</summary>
    IReadOnlyList<AddressFamily> AddressFamilies =>
        LocalEndPoint.Address.Equals(IPAddress.IPv6Any) ? [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6] : [LocalEndPoint.AddressFamily];

    /// <summary>Sends one datagram; failures to deliver are silent, as with UDP.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint destination, CancellationToken cancellationToken);

    /// <summary>Waits for the next datagram. Throws <see cref="OperationCanceledException"/> when cancelled or disposed.</summary>
    ValueTask<Datagram> ReceiveAsync(CancellationToken cancellationToken);
}
