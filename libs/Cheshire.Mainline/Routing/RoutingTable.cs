using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Routing;

/// <summary>
/// The BEP 5 routing table: k-buckets over the 160-bit space; only the bucket containing the local id splits;
/// full buckets replace bad nodes, keep a replacement cache, and prefer BEP 42 verified ids. Thread-safe.
/// </summary>
public sealed partial class RoutingTable
{
    private const int MaxBuckets = NodeId.Length * 8;
    private readonly List<Bucket> _buckets;
    private readonly HashSet<IPAddress> _addresses = [];
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    public RoutingTable(NodeId localId, RoutingTableOptions options, TimeProvider clock)
    {
        LocalId = localId;
        Options = options;
        _clock = clock;
        _buckets = [new Bucket(0, clock.GetUtcNow())];
    }

    public NodeId LocalId { get; }
    public RoutingTableOptions Options { get; }

    public int BucketCount
    {
        get { lock (_lock) return _buckets.Count; }
    }

    public int Count
    {
        get { lock (_lock) return _buckets.Sum(b => b.Nodes.Count); }
    }

    /// <summary>All entries, bucket by bucket (a copy).</summary>
    public IReadOnlyList<RoutingNode> Nodes
    {
        get { lock (_lock) return [.. _buckets.SelectMany(b => b.Nodes)]; }
    }

    public IReadOnlyList<Bucket> Buckets
    {
        get { lock (_lock) return [.. _buckets]; }
    }

    public RoutingNode? Find(NodeId id)
    {
        lock (_lock)
            return FindIn(BucketFor(id), id);
    }

    /// <summary>
    /// Records that we heard from a node: <paramref name="responded"/> when it answered our query, otherwise it
    /// queried us. Unknown nodes are inserted (or cached as replacements) per BEP 5.
    /// </summary>
    public AddResult Heard(NodeId id, IPEndPoint endPoint, bool responded, bool verified)
    {
        endPoint = Compact.Normalize(endPoint);
        if (id == LocalId || !Compact.IsRoutable(endPoint))
            return AddResult.Rejected;
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            while (true)
            {
                var bucket = BucketFor(id);
                if (FindIn(bucket, id) is { } existing)
                {
                    if (!existing.EndPoint.Equals(endPoint))
                        return AddResult.Rejected; // an id does not move; ignore spoofed updates
                    Touch(existing, bucket, responded, now);
                    return AddResult.Updated;
                }
                if (Options.EnforceNodeIdVerification && !verified)
                    return AddResult.Rejected;
                if (Options.RestrictToOneNodePerIp && !IPAddress.IsLoopback(endPoint.Address) && _addresses.Contains(endPoint.Address))
                    return AddResult.Rejected;
                var node = new RoutingNode(id, endPoint, verified, now);
                Touch(node, bucket, responded, now);
                if (bucket.Nodes.Count < Options.BucketSize)
                {
                    Insert(bucket, node, now);
                    return AddResult.Added;
                }
                if (bucket == _buckets[^1] && _buckets.Count < MaxBuckets)
                {
                    Split();
                    continue;
                }
                var victim = bucket.Nodes.Find(n => n.StateAt(now, Options) == NodeState.Bad)
                    ?? (verified ? bucket.Nodes.Find(n => !n.Verified && n.StateAt(now, Options) != NodeState.Good) : null);
                if (victim is not null)
                {
                    Remove(bucket, victim);
                    Insert(bucket, node, now);
                    return AddResult.Added;
                }
                AddReplacement(bucket, node);
                return AddResult.ReplacementCache;
            }
        }
    }

    /// <summary>A query to the node timed out. Bad nodes are swapped for the best replacement.</summary>
    public void Failed(NodeId id)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            var bucket = BucketFor(id);
            if (FindIn(bucket, id) is not { } node)
            {
                bucket.Replacements.RemoveAll(n => n.Id == id);
                return;
            }
            node.FailedQueries++;
            if (node.StateAt(now, Options) == NodeState.Bad && bucket.Replacements.Count > 0)
            {
                var replacement = bucket.Replacements.OrderByDescending(n => n.Verified).ThenByDescending(n => n.LastSeen).First();
                bucket.Replacements.Remove(replacement);
                Remove(bucket, node);
                Insert(bucket, replacement, now);
            }
        }
    }

    /// <summary>The closest non-bad nodes to <paramref name="target"/>, optionally of one address family / confirmed only.</summary>
    public List<NodeContact> Closest(NodeId target, int count, AddressFamily? family = null, bool confirmedOnly = false)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            return _buckets.SelectMany(b => b.Nodes)
                .Where(n => n.StateAt(now, Options) != NodeState.Bad)
                .Where(n => !confirmedOnly || n.LastResponse is not null)
                .Where(n => family is null || n.EndPoint.AddressFamily == family)
                .Select(n => new NodeContact(n.Id, n.EndPoint))
                .OrderBy(n => n.Id, Comparer<NodeId>.Create(target.CompareDistance))
                .Take(count)
                .ToList();
        }
    }

    /// <summary>Questionable nodes to ping, least recently seen first.</summary>
    public List<NodeContact> QuestionableNodes(int max)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            return _buckets.SelectMany(b => b.Nodes)
                .Where(n => n.StateAt(now, Options) == NodeState.Questionable)
                .OrderBy(n => n.LastSeen)
                .Take(max)
                .Select(n => new NodeContact(n.Id, n.EndPoint))
                .ToList();
        }
    }

    /// <summary>Random targets inside every bucket unchanged for <see cref="RoutingTableOptions.RefreshInterval"/>.</summary>
    public List<NodeId> RefreshTargets()
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
        {
            return _buckets.Where(b => now - b.LastChanged >= Options.RefreshInterval)
                .Select(b => LocalId.RandomWithPrefix(b.Index))
                .ToList();
        }
    }

    /// <summary>Marks a bucket as refreshed (a lookup into its range was started).</summary>
    public void MarkRefreshed(NodeId target)
    {
        var now = _clock.GetUtcNow();
        lock (_lock)
            BucketFor(target).LastChanged = now;
    }

    private static RoutingNode? FindIn(Bucket bucket, NodeId id)
    {
        foreach (var node in bucket.Nodes)
            if (node.Id == id)
                return node;
        return null;
    }

    private Bucket BucketFor(NodeId id) => _buckets[Math.Min(LocalId.CommonPrefixLength(id), _buckets.Count - 1)];

    private static void Touch(RoutingNode node, Bucket bucket, bool responded, DateTimeOffset now)
    {
        if (responded)
        {
            node.LastResponse = now;
            node.FailedQueries = 0;
            bucket.LastChanged = now;
        }
        else
        {
            node.LastQuery = now;
        }
    }

    private void Insert(Bucket bucket, RoutingNode node, DateTimeOffset now)
    {
        bucket.Nodes.Add(node);
        bucket.Replacements.RemoveAll(n => n.Id == node.Id);
        bucket.LastChanged = now;
        _addresses.Add(node.EndPoint.Address);
    }

    private void Remove(Bucket bucket, RoutingNode node)
    {
        bucket.Nodes.Remove(node);
        _addresses.Remove(node.EndPoint.Address);
    }

    private void AddReplacement(Bucket bucket, RoutingNode node)
    {
        var replacements = bucket.Replacements;
        for (var i = replacements.Count - 1; i >= 0; i--)
            if (replacements[i].Id == node.Id || replacements[i].EndPoint.Equals(node.EndPoint))
                replacements.RemoveAt(i);
        bucket.Replacements.Add(node);
        if (bucket.Replacements.Count > Options.BucketSize)
        {
            var evict = bucket.Replacements.OrderBy(n => n.Verified).ThenBy(n => n.LastSeen).First();
            bucket.Replacements.Remove(evict);
        }
    }

    private void Split()
    {
        var last = _buckets[^1];
        var next = new Bucket(last.Index + 1, last.LastChanged);
        foreach (var node in last.Nodes.Where(n => LocalId.CommonPrefixLength(n.Id) > last.Index).ToList())
        {
            last.Nodes.Remove(node);
            next.Nodes.Add(node);
        }
        foreach (var node in last.Replacements.Where(n => LocalId.CommonPrefixLength(n.Id) > last.Index).ToList())
        {
            last.Replacements.Remove(node);
            next.Replacements.Add(node);
        }
        _buckets.Add(next);
    }
}
