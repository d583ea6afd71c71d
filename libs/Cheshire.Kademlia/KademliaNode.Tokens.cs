using System.Collections.Concurrent;
using System.Net;
using Cheshire.Kademlia.Routing;
using Google.Protobuf;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    // Write tokens other nodes handed us in find_node and get replies. A node honours its tokens for at least one
    // rotation (5 minutes); reusing one for a little less lets a put store while it looks up, in one round trip.
    private static readonly TimeSpan TokenReuse = TimeSpan.FromMinutes(4);
    private const int MaxTokensKept = 8192;
    private readonly ConcurrentDictionary<NodeId, (IPEndPoint EndPoint, ByteString Token, long At)> _writeTokens = new();

    private void RememberToken(Contact contact, ByteString token)
    {
        if (token.IsEmpty) return;
        if (_writeTokens.Count >= MaxTokensKept) _writeTokens.Clear();
        _writeTokens[contact.Id] = (contact.EndPoint, token, _time.GetTimestamp());
    }

    private ByteString? RecentToken(Contact contact) =>
        _writeTokens.TryGetValue(contact.Id, out var kept) && kept.EndPoint.Equals(contact.EndPoint)
            && _time.GetElapsedTime(kept.At) < TokenReuse
            ? kept.Token
            : null;
}
