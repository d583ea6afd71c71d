using System.Net;

namespace Cheshire.Mainline.Routing;

/// <summary>BEP 5 node states.</summary>
public enum NodeState
{
    /// <summary>Responded to one of our queries within 15 minutes, or responded ever and queried us within 15 minutes.</summary>
    Good,

    /// <summary>No activity for 15 minutes, or never responded yet.</summary>
    Questionable,

    /// <summary>Failed to respond to several queries in a row.</summary>
    Bad,
}

/// <summary>A routing table entry.</summary>
public sealed class RoutingNode(NodeId id, IPEndPoint endPoint, bool verified, DateTimeOffset added)
{
    public NodeId Id { get; } = id;
    public IPEndPoint EndPoint { get; } = endPoint;

    /// <summary>BEP 42: the id matches the node's IP (or the IP is exempt).</summary>
    public bool Verified { get; } = verified;

    public DateTimeOffset Added { get; } = added;

    /// <summary>The BEP 5 / 32 compact node info (id + endpoint), built once: replies copy it as is.</summary>
    internal byte[] CompactInfo => _compact ??= [.. Id.Span, .. Krpc.Compact.EncodeEndPoint(EndPoint)];

    private byte[]? _compact;
    public DateTimeOffset? LastResponse { get; internal set; }
    public DateTimeOffset? LastQuery { get; internal set; }
    public int FailedQueries { get; internal set; }

    public DateTimeOffset LastSeen => Max(Max(LastResponse, LastQuery), Added);

    public NodeState StateAt(DateTimeOffset now, RoutingTableOptions options)
    {
        if (FailedQueries >= options.FailuresUntilBad)
            return NodeState.Bad;
        if (LastResponse is not { } response)
            return NodeState.Questionable;
        if (now - response < options.GoodWindow)
            return NodeState.Good;
        return LastQuery is { } query && now - query < options.GoodWindow ? NodeState.Good : NodeState.Questionable;
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset? b) =>
        (a ?? DateTimeOffset.MinValue) > (b ?? DateTimeOffset.MinValue) ? a ?? DateTimeOffset.MinValue : b ?? DateTimeOffset.MinValue;
}

public sealed record RoutingTableOptions
{
    /// <summary>Bucket size k.</summary>
    public int BucketSize { get; init; } = 8;

    /// <summary>A node is good while it has been heard from within this window (15 minutes in BEP 5).</summary>
    public TimeSpan GoodWindow { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Buckets unchanged for this long are refreshed (15 minutes in BEP 5).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Consecutive failed queries that make a node bad.</summary>
    public int FailuresUntilBad { get; init; } = 2;

    /// <summary>BEP 42: refuse nodes whose id does not match their IP.</summary>
    public bool EnforceNodeIdVerification { get; init; }

    /// <summary>At most one node per IP address (loopback exempt), as libtorrent does against Sybil floods.</summary>
    public bool RestrictToOneNodePerIp { get; init; } = true;
}

/// <summary>What happened to a node offered to the table.</summary>
public enum AddResult
{
    Added,
    Updated,
    ReplacementCache,
    Rejected,
}
