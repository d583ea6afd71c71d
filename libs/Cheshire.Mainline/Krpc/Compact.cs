using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Cheshire.Mainline.Krpc;

/// <summary>A node as the DHT knows it: id and UDP endpoint.</summary>
public readonly record struct NodeContact(NodeId Id, IPEndPoint EndPoint);

/// <summary>BEP 5 / BEP 32 compact encodings: peers (6 or 18 bytes) and node infos (26 or 38 bytes).</summary>
public static class Compact
{
    public const int Peer4 = 6;
    public const int Peer6 = 18;
    public const int Node4 = NodeId.Length + Peer4;
    public const int Node6 = NodeId.Length + Peer6;

    /// <summary>IPv4-mapped IPv6 addresses are reported as IPv4, as dual-stack sockets deliver them.</summary>
    public static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    /// <summary>A plausible DHT node or peer address: a port, and not unspecified, broadcast or multicast.</summary>
    public static bool IsRoutable(IPEndPoint endPoint)
    {
        var address = Normalize(endPoint).Address;
        if (endPoint.Port == 0 || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
            return false;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return !address.IsIPv6Multicast;
        Span<byte> bytes = stackalloc byte[4];
        return !address.TryWriteBytes(bytes, out _) || bytes[0] is < 224 or > 239;
    }

    public static byte[] EncodeEndPoint(IPEndPoint endPoint)
    {
        endPoint = Normalize(endPoint);
        var address = endPoint.Address.GetAddressBytes();
        var result = new byte[address.Length + 2];
        address.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(address.Length), (ushort)endPoint.Port);
        return result;
    }

    public static bool TryDecodeEndPoint(ReadOnlySpan<byte> bytes, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (bytes.Length is not (Peer4 or Peer6))
            return false;
        var address = new IPAddress(bytes[..^2]);
        endPoint = new IPEndPoint(address, BinaryPrimitives.ReadUInt16BigEndian(bytes[^2..]));
        return true;
    }

    /// <summary>Concatenated node infos of one family; contacts of the other family are skipped.</summary>
    public static byte[] EncodeNodes(IEnumerable<NodeContact> nodes, AddressFamily family)
    {
        var size = family == AddressFamily.InterNetwork ? Node4 : Node6;
        var buffer = new List<byte>();
        foreach (var node in nodes)
        {
            var endPoint = Normalize(node.EndPoint);
            if (endPoint.AddressFamily != family)
                continue;
            buffer.AddRange(node.Id.Span);
            buffer.AddRange(EncodeEndPoint(endPoint));
        }
        return buffer.Count % size == 0 ? [.. buffer] : throw new InvalidOperationException("bad node encoding");
    }

    /// <summary>Decodes node infos; a length that is not a multiple of the record size yields none past the last whole record.</summary>
    public static List<NodeContact> DecodeNodes(ReadOnlySpan<byte> bytes, AddressFamily family)
    {
        var size = family == AddressFamily.InterNetwork ? Node4 : Node6;
        var result = new List<NodeContact>(bytes.Length / size);
        for (var offset = 0; offset + size <= bytes.Length; offset += size)
        {
            var record = bytes.Slice(offset, size);
            if (!TryDecodeEndPoint(record[NodeId.Length..], out var endPoint) || endPoint.Port == 0)
                continue;
            result.Add(new NodeContact(new NodeId(record[..NodeId.Length]), endPoint));
        }
        return result;
    }
}
