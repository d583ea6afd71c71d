using System.Collections.Concurrent;

namespace Cheshire.Mainline.Engine;

/// <summary>A point-in-time copy of the node's counters.</summary>
public sealed record MainlineStats(
    IReadOnlyDictionary<string, long> QueriesReceived,
    IReadOnlyDictionary<string, long> QueriesSent,
    long ResponsesReceived,
    long ErrorsReceived,
    long ErrorsSent,
    long Timeouts,
    long MalformedReceived,
    long RateLimited,
    long InternalErrors,
    int RoutingTableNodes,
    int Buckets,
    int Infohashes,
    int Peers,
    int Items);

internal sealed class StatCounters
{
    public readonly ConcurrentDictionary<string, long> QueriesReceived = new();
    public readonly ConcurrentDictionary<string, long> QueriesSent = new();
    public long ResponsesReceived;
    public long ErrorsReceived;
    public long ErrorsSent;
    public long Timeouts;
    public long MalformedReceived;
    public long RateLimited;
    public long InternalErrors;

    public static void Count(ConcurrentDictionary<string, long> map, string method) =>
        map.AddOrUpdate(KnownMethods.Contains(method) ? method : "other", 1, (_, n) => n + 1);

    private static readonly HashSet<string> KnownMethods =
        ["ping", "find_node", "get_peers", "announce_peer", "get", "put", "sample_infohashes"];
}
