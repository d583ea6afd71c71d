using System.Buffers;
using System.Net;

namespace Cheshire.Kademlia.Routing;

/// <summary>
/// Kademlia routing table with bucket splitting. Bucket i (i &lt; last) holds contacts whose id
/// shares exactly i leading bits with ours; the last bucket holds the rest (those sharing at least
/// last bits) and is split when it is full. Full buckets keep newcomers in a replacement cache and
/// ask for the least recently seen contact to be pinged; contacts that fail are replaced.
/// An endpoint holds one id: another id claimed from an address already in the table is ignored while the
/// contact there answers, so one host cannot fill the buckets with made-up ids.
/// </summary>
public sealed class RoutingTable
{
    private readonly List<KBucket> _buckets = [];
    private readonly Dictionary<IPEndPoint, NodeId> _byEndPoint = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public RoutingTable(NodeId self, int k = 20, TimeProvider? time = null, int maxFailures = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        Self = self;
        K = k;
        MaxFailures = maxFailures;
        _time = time ?? TimeProvider.System;
        _buckets.Add(new KBucket(k) { LastChanged = _time.GetUtcNow() });
    }

    public NodeId Self { get; }
    public int K { get; }
    public int MaxFailures { get; }

    public int BucketCount
    {
        get { lock (_lock) return _buckets.Count; }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                var n = 0;
                foreach (var b in _buckets) n += b.Entries.Count;
                return n;
            }
        }
    }

    /// <summary>Records that <paramref name="contact"/> sent us a valid message.</summary>
    /// <param name="pingCandidate">When the result is <see cref="SeenResult.Cached"/>: the least recently
    /// seen contact of the full bucket, unless it was pinged within <paramref name="pingInterval"/>.</param>
    public SeenResult Seen(Contact contact, out Contact? pingCandidate, TimeSpan pingInterval = default)
    {
        pingCandidate = null;
        if (contact.Id == Self) return SeenResult.Ignored;
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            while (true)
            {
                var index = BucketIndex(contact.Id);
                var bucket = _buckets[index];
                var at = bucket.IndexOf(contact.Id);
                var endPointTaken = _byEndPoint.TryGetValue(contact.EndPoint, out var holder) && holder != contact.Id;
                if (at >= 0)
                {
                    if (bucket.Touch(at, now, contact, mayMove: !endPointTaken) is { } movedFrom)
                    {
                        _byEndPoint.Remove(movedFrom.EndPoint);
                        _byEndPoint[contact.EndPoint] = contact.Id;
                    }
                    return SeenResult.Refreshed;
                }
                if (endPointTaken)
                {
                    var holderBucket = _buckets[BucketIndex(holder)];
                    var holderAt = holderBucket.IndexOf(holder);
                    if (holderBucket.Entries[holderAt].Failures == 0) return SeenResult.Ignored;
                    // the contact there stopped answering: the address now belongs to the new id (a restart with a new identity)
                    RemoveEntry(holderBucket, holderAt, now);
                    continue;
                }
                if (!bucket.IsFull)
                {
                    bucket.Entries.Add(new KBucket.Entry(contact, now));
                    _byEndPoint[contact.EndPoint] = contact.Id;
                    bucket.Replacements.RemoveAll(c => c.Id == contact.Id);
                    bucket.LastChanged = now;
                    return SeenResult.Added;
                }
                if (index == _buckets.Count - 1 && _buckets.Count < NodeId.Bits)
                {
                    Split();
                    continue;
                }
                bucket.AddReplacement(contact);
                var lru = bucket.Entries[0];
                if (now - lru.LastPinged >= pingInterval)
                {
                    lru.LastPinged = now;
                    pingCandidate = lru.Contact;
                }
                return SeenResult.Cached;
            }
        }
    }

    public SeenResult Seen(Contact contact) => Seen(contact, out _);

    /// <summary>Records a request to <paramref name="id"/> that went unanswered. Returns true if it was removed.</summary>
    public bool Failed(NodeId id)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            var bucket = _buckets[BucketIndex(id)];
            var at = bucket.IndexOf(id);
            if (at < 0)
            {
                bucket.Replacements.RemoveAll(c => c.Id == id);
                return false;
            }
            var entry = bucket.Entries[at];
            entry.Failures++;
            if (entry.Failures >= MaxFailures || bucket.Replacements.Count > 0)
            {
                RemoveEntry(bucket, at, now);
                return true;
            }
            return false;
        }
    }

    public bool Remove(NodeId id)
    {
        lock (_lock)
        {
            var bucket = _buckets[BucketIndex(id)];
            var at = bucket.IndexOf(id);
            if (at < 0) return false;
            RemoveEntry(bucket, at, _time.GetUtcNow());
            return true;
        }
    }

    public Contact? Find(NodeId id)
    {
        lock (_lock)
        {
            var bucket = _buckets[BucketIndex(id)];
            var at = bucket.IndexOf(id);
            return at < 0 ? null : bucket.Entries[at].Contact;
        }
    }

    /// <summary>Up to <paramref name="count"/> contacts closest to <paramref name="target"/>, nearest first,
    /// preferring contacts without failures (those fill the list only when too few good ones are known).</summary>
    public List<Contact> Closest(NodeId target, int count) => Closest(target, count, default);

    /// <summary>As <see cref="Closest(NodeId, int)"/>, leaving out <paramref name="exclude"/>.</summary>
    public List<Contact> Closest(NodeId target, int count, NodeId exclude)
    {
        var buffer = ArrayPool<Contact>.Shared.Rent(Math.Max(count, 1));
        try
        {
            var found = CopyClosest(target, buffer.AsSpan(0, count), exclude);
            return [.. buffer.AsSpan(0, found)];
        }
        finally
        {
            ArrayPool<Contact>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>Fills <paramref name="closest"/> with the contacts closest to <paramref name="target"/> (as
    /// <see cref="Closest(NodeId, int)"/>, without <paramref name="exclude"/>); returns how many it wrote.</summary>
    public int CopyClosest(NodeId target, Span<Contact> closest, NodeId exclude)
    {
        var count = closest.Length;
        if (count == 0) return 0;
        var distances = count <= 64 ? stackalloc NodeId[count] : new NodeId[count];
        var failures = count <= 64 ? stackalloc bool[count] : new bool[count];
        var filled = 0;
        lock (_lock)
        {
            foreach (var bucket in _buckets)
            {
                foreach (var entry in bucket.Entries)
                {
                    var id = entry.Contact.Id;
                    if (id == exclude) continue;
                    var distance = target ^ id;
                    var failed = entry.Failures > 0;
                    // rank: good before doubtful, then by distance; insertion into a sorted window of count
                    var at = filled;
                    while (at > 0 && Before(failed, distance, failures[at - 1], distances[at - 1])) at--;
                    if (at >= count) continue;
                    if (filled < count) filled++;
                    for (var i = filled - 1; i > at; i--)
                    {
                        closest[i] = closest[i - 1];
                        distances[i] = distances[i - 1];
                        failures[i] = failures[i - 1];
                    }
                    closest[at] = entry.Contact;
                    distances[at] = distance;
                    failures[at] = failed;
                }
            }
        }
        return filled;

        static bool Before(bool failed, NodeId distance, bool otherFailed, NodeId otherDistance) =>
            failed != otherFailed ? !failed : distance.CompareTo(otherDistance) < 0;
    }

    public List<Contact> All()
    {
        lock (_lock)
            return _buckets.SelectMany(b => b.Entries.Select(e => e.Contact)).ToList();
    }

    /// <summary>Prefix lengths of buckets not changed since <paramref name="olderThan"/>.</summary>
    public List<int> StaleBuckets(DateTimeOffset olderThan)
    {
        lock (_lock)
        {
            var stale = new List<int>();
            for (var i = 0; i < _buckets.Count; i++)
                if (_buckets[i].LastChanged < olderThan) stale.Add(i);
            return stale;
        }
    }

    /// <summary>Marks a bucket as refreshed (a lookup in its range was started).</summary>
    public void MarkRefreshed(int prefixLength)
    {
        lock (_lock)
        {
            if (prefixLength < _buckets.Count) _buckets[prefixLength].LastChanged = _time.GetUtcNow();
        }
    }

    public IReadOnlyList<BucketSnapshot> Snapshot()
    {
        lock (_lock)
        {
            return _buckets.Select((b, i) => new BucketSnapshot(
                i,
                i == _buckets.Count - 1,
                b.LastChanged,
                b.Entries.Select(e => new ContactState(e.Contact, e.LastSeen, e.Failures)).ToList(),
                b.Replacements.ToList())).ToList();
        }
    }

    /// <summary>Removes the entry and fills its slot with the most recent replacement whose endpoint is free.</summary>
    private void RemoveEntry(KBucket bucket, int index, DateTimeOffset now)
    {
        _byEndPoint.Remove(bucket.Entries[index].Contact.EndPoint);
        bucket.Entries.RemoveAt(index);
        while (bucket.Replacements.Count > 0)
        {
            var promoted = bucket.Replacements[^1];
            bucket.Replacements.RemoveAt(bucket.Replacements.Count - 1);
            if (_byEndPoint.ContainsKey(promoted.EndPoint)) continue;
            bucket.Entries.Add(new KBucket.Entry(promoted, now));
            _byEndPoint[promoted.EndPoint] = promoted.Id;
            break;
        }
        bucket.LastChanged = now;
    }

    private int BucketIndex(NodeId id) => Math.Min(Self.CommonPrefixLength(id), _buckets.Count - 1);

    private void Split()
    {
        var old = _buckets[^1];
        var depth = _buckets.Count - 1;
        var near = new KBucket(K) { LastChanged = old.LastChanged };
        _buckets.Add(near);
        for (var i = old.Entries.Count - 1; i >= 0; i--)
        {
            var entry = old.Entries[i];
            if (Self.CommonPrefixLength(entry.Contact.Id) > depth)
            {
                old.Entries.RemoveAt(i);
                near.Entries.Insert(0, entry);
            }
        }
        for (var i = old.Replacements.Count - 1; i >= 0; i--)
        {
            var contact = old.Replacements[i];
            if (Self.CommonPrefixLength(contact.Id) > depth)
            {
                old.Replacements.RemoveAt(i);
                near.Replacements.Insert(0, contact);
            }
        }
    }
}
