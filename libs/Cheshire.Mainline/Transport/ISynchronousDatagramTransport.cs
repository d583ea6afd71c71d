using System.Net;

namespace Cheshire.Mainline.Transport;

/// <summary>
/// A transport the node can drive from one dedicated thread with blocking calls and caller-owned buffers: no
/// task, no copy per datagram. <see cref="UdpTransport"/> implements it; the node falls back to
/// <see cref="IDatagramTransport.ReceiveAsync"/> for transports that do not.
/// </summary>
public interface ISynchronousDatagramTransport : IDatagramTransport
{
    /// <summary>
    /// Blocks until a datagram arrives, copies it into <paramref name="buffer"/> and returns its length.
    /// Throws <see cref="OperationCanceledException"/> once the transport is disposed.
    /// </summary>
    int Receive(Span<byte> buffer, out IPEndPoint source);

    /// <summary>Sends one datagram now; failures to deliver are silent, as with UDP.</summary>
    void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination);
}
