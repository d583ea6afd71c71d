namespace Cheshire.Kademlia;

/// <summary>Tuning knobs of a <see cref="KademliaNode"/>. Defaults suit the real network.</summary>
public sealed record KademliaOptions
{
    /// <summary>Bucket size and replication factor.</summary>
    public int K { get; init; } = 20;

    /// <summary>Parallel requests per lookup.</summary>
    public int Alpha { get; init; } = 3;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Resends of an unanswered request (same transaction id) before it counts as failed.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>Unanswered requests before a contact leaves the routing table (sooner if a replacement waits).</summary>
    public int MaxContactFailures { get; init; } = 2;

    /// <summary>A bucket not changed for this long is refreshed by a lookup of a random id in its range.</summary>
    public TimeSpan BucketRefreshInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>How often maintenance runs (expiry, refresh, republish, listen renewal, persistence).</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Ttl of a value whose owner gave none, and the longest ttl a node accepts.</summary>
    public TimeSpan DefaultValueTtl { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan MaxValueTtl { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Values put through this node are republished this often (before their ttl runs out).</summary>
    public TimeSpan RepublishInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A node puts the values it holds again on the k closest nodes of their key this often (Kademlia's
    /// replication), so copies survive the holders' churn; not for a key another node stored on it within the
    /// interval. <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan ReplicateInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Keys replicated at most per maintenance round, to spread the traffic.</summary>
    public int MaxReplicationsPerRound { get; init; } = 32;

    public int MaxValueSize { get; init; } = 64 * 1024;
    public int MaxValuesPerKey { get; init; } = 1024;
    public long MaxStoreBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Requests per second allowed from one IP address (token bucket); 0 turns the limit off.</summary>
    public double RateLimitPerSecond { get; init; } = 400;
    public double RateLimitBurst { get; init; } = 800;

    /// <summary>How many of the closest nodes a listener registers on.</summary>
    public int ListenNodes { get; init; } = 8;
    public TimeSpan ListenTtl { get; init; } = TimeSpan.FromMinutes(2);
    public int MaxListenersPerKey { get; init; } = 512;
    public int MaxListeners { get; init; } = 16_384;

    /// <summary>How often the routing table is saved to persistence.</summary>
    public TimeSpan PersistContactsInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>After bootstrap, refresh every bucket farther than the closest neighbour (the paper's join).</summary>
    public bool RefreshBucketsOnJoin { get; init; } = true;

    /// <summary>
    /// Largest datagram this node sends. Longer messages (a get reply with many values, a put of a 64 KiB value)
    /// go as fragments of this size; the default stays under the common 1,500-byte path MTU.
    /// </summary>
    public int MaxDatagramSize { get; init; } = 1_400;

    /// <summary>Largest message, once its fragments are joined, that this node sends or accepts; replies are paged to fit.</summary>
    public int MaxMessageSize { get; init; } = 96 * 1024;

    /// <summary>Bytes of incomplete fragmented messages held at once, from all senders.</summary>
    public int MaxReassemblyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>How long the fragments of an incomplete message are kept.</summary>
    public TimeSpan ReassemblyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(K, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Alpha, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(Retries, 0);
        if (RequestTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "must be positive");
        if (MaintenanceInterval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(MaintenanceInterval), MaintenanceInterval, "must be positive");
        if (ReplicateInterval <= TimeSpan.Zero && ReplicateInterval != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(ReplicateInterval), ReplicateInterval, "must be positive, or infinite to turn replication off");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValueSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDatagramSize, 65_507);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDatagramSize, 512);
        if (MaxMessageSize < MaxValueSize + 4096)
            throw new ArgumentOutOfRangeException(nameof(MaxMessageSize), MaxMessageSize, $"must hold the largest value ({MaxValueSize} bytes) and 4 KiB of envelope");
    }
}
