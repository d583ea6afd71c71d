using System.Net;

namespace Cheshire.Kademlia.Transport;

/// <summary>Receives one datagram. The span is only valid during the call.</summary>
public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint remote);

/// <summary>Sends and receives datagrams: real UDP or a simulated network.</summary>
public interface IDatagramTransport : IAsyncDisposable
{
    /// <summary>The endpoint other nodes reach us on.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Starts delivering received datagrams to <paramref name="handler"/>.</summary>
    void Start(DatagramHandler handler);

    /// <summary>Sends one datagram; never throws for network errors (a lost datagram is a timeout).</summary>
    void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote);
}
