using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Bencode;

namespace Cheshire.Mainline.Krpc;

/// <summary>
/// Writes the reply to a <see cref="FastQuery"/> byte for byte as <c>KrpcMessage.Reply(...).Encode()</c> would:
/// <c>d 2:ip &lt;requester&gt; 1:r d 2:id .. [5:nodes|6:nodes6 ..] [5:token ..] [6:values l..e] e 1:t .. 1:v .. 1:y 1:r e</c>.
/// </summary>
internal ref struct FastReplyWriter
{
    private SpanBencodeWriter _writer;

    /// <summary>Writes the header up to and including the responder id.</summary>
    public FastReplyWriter(Span<byte> buffer, IPEndPoint requester, ReadOnlySpan<byte> localId)
    {
        _writer = new SpanBencodeWriter(buffer);
        _writer.Raw("d2:ip"u8);
        Span<byte> address = stackalloc byte[Compact.Peer6];
        _writer.String(address[..WriteEndPoint(requester, address)]);
        _writer.Raw("1:rd2:id"u8);
        _writer.String(localId);
    }

    public readonly int Written => _writer.Written;

    /// <summary><c>nodes</c> (IPv4) or <c>nodes6</c> of <paramref name="length"/> bytes; the caller fills the returned span.</summary>
    public Span<byte> ReserveNodes(AddressFamily family, int length)
    {
        _writer.Raw(family == AddressFamily.InterNetwork ? "5:nodes"u8 : "6:nodes6"u8);
        _writer.Length(length);
        return _writer.Reserve(length);
    }

    public void Token(scoped ReadOnlySpan<byte> token)
    {
        _writer.Raw("5:token"u8);
        _writer.String(token);
    }

    public void Values(List<IPEndPoint> peers)
    {
        _writer.Raw("6:valuesl"u8);
        Span<byte> peer = stackalloc byte[Compact.Peer6];
        foreach (var endPoint in peers)
            _writer.String(peer[..WriteEndPoint(endPoint, peer)]);
        _writer.Byte((byte)'e');
    }

    /// <summary>Closes <c>r</c> and writes <c>t</c>, <c>v</c> and <c>y</c>.</summary>
    public int Finish(scoped ReadOnlySpan<byte> transactionId, scoped ReadOnlySpan<byte> version)
    {
        _writer.Raw("e1:t"u8);
        _writer.String(transactionId);
        _writer.Raw("1:v"u8);
        _writer.String(version);
        _writer.Raw("1:y1:re"u8);
        return _writer.Written;
    }

    /// <summary>The compact endpoint (<see cref="Compact.EncodeEndPoint"/>) without allocating; returns its length.</summary>
    public static int WriteEndPoint(IPEndPoint endPoint, Span<byte> destination)
    {
        var address = endPoint.Address;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (!address.TryWriteBytes(destination, out var written))
            throw new ArgumentException("endpoint buffer too small");
        destination[written] = (byte)(endPoint.Port >> 8);
        destination[written + 1] = (byte)endPoint.Port;
        return written + 2;
    }
}
