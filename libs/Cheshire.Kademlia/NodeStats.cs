namespace Cheshire.Kademlia;

/// <summary>Counters of one node (thread-safe).</summary>
internal sealed class NodeCounters
{
    public long DatagramsIn, DatagramsOut, BytesIn, BytesOut, Malformed, RateLimited, Requests, Timeouts, Retries, Lookups, Notifications, Reassembled, Oversized;

    public static void Add(ref long counter, long n = 1) => Interlocked.Add(ref counter, n);
}

/// <summary>A snapshot of a node's activity and state.</summary>
public sealed record NodeStats(
    long DatagramsIn, long DatagramsOut, long BytesIn, long BytesOut, long Malformed, long RateLimited,
    long RequestsHandled, long Timeouts, long Retries, long Lookups, long NotificationsSent,
    int Contacts, int Buckets, int StoredValues, int StoredKeys, long StoreBytes, int Listeners, int ActiveListens)
{
    /// <summary>Messages that arrived in fragments and were joined.</summary>
    public long MessagesReassembled { get; init; }

    /// <summary>Messages not sent because they exceeded MaxMessageSize (a bug if ever non-zero: replies are paged).</summary>
    public long MessagesOversized { get; init; }

    /// <summary>Bytes of incomplete fragmented messages held now.</summary>
    public int FragmentBytesHeld { get; init; }
}
