namespace Cheshire.Mainline.Krpc;

/// <summary>The three hot query methods the fast path answers.</summary>
internal enum FastMethod : byte
{
    Ping,
    FindNode,
    GetPeers,
}

/// <summary>
/// A ping / find_node / get_peers query located in its datagram by <see cref="FastQueryReader"/>: offsets only,
/// nothing copied. <see cref="Target"/> is the find_node <c>target</c> or the get_peers <c>info_hash</c>.
/// </summary>
internal readonly struct FastQuery
{
    public FastMethod Method { get; init; }
    public Range TransactionId { get; init; }
    public Range Id { get; init; }
    public Range Target { get; init; }
    public bool ReadOnly { get; init; }
}
