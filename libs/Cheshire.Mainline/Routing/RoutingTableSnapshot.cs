using System.Net.Sockets;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Routing;

/// <summary>
/// What a host persists between runs: the local id and the known nodes. <see cref="Encode"/> gives a compact
/// bencoded form (<c>d2:id20:...5:nodes26:...6:nodes638:...e</c>), the same node encoding as the wire.
/// </summary>
public sealed record RoutingTableSnapshot(NodeId LocalId, IReadOnlyList<NodeContact> Nodes)
{
    public byte[] Encode()
    {
        var d = new BDictionary
        {
            ["id"] = new BString(LocalId.ToArray()),
            ["nodes"] = new BString(Compact.EncodeNodes(Nodes, AddressFamily.InterNetwork)),
            ["nodes6"] = new BString(Compact.EncodeNodes(Nodes, AddressFamily.InterNetworkV6)),
        };
        return d.Encode();
    }

    /// <summary>Reads <see cref="Encode"/>'s output; throws <see cref="BencodeException"/> or <see cref="FormatException"/> when damaged.</summary>
    public static RoutingTableSnapshot Decode(ReadOnlyMemory<byte> bytes)
    {
        var d = BencodeReader.DecodeDictionary(bytes, BencodeOptions.Strict with { MaxInputLength = 1 << 22 });
        if (d.Get<BString>("id") is not { Length: NodeId.Length } id)
            throw new FormatException("snapshot without a 20-byte id");
        var v4 = d.Get<BString>("nodes")?.Value ?? ReadOnlyMemory<byte>.Empty;
        var v6 = d.Get<BString>("nodes6")?.Value ?? ReadOnlyMemory<byte>.Empty;
        if (v4.Length % Compact.Node4 != 0 || v6.Length % Compact.Node6 != 0)
            throw new FormatException("snapshot node list has a partial record");
        var nodes = Compact.DecodeNodes(v4.Span, AddressFamily.InterNetwork);
        nodes.AddRange(Compact.DecodeNodes(v6.Span, AddressFamily.InterNetworkV6));
        return new RoutingTableSnapshot(new NodeId(id.Span), nodes);
    }
}
