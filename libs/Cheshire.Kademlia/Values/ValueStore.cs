using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia.Values;

/// <summary>A value held by this node for a key, until <see cref="Expires"/>.</summary>
public sealed record StoredValue(NodeId Key, DhtValue Value, DateTimeOffset Expires);

/// <summary>
/// The multi-value store: per key, values by value id. Enforces signatures, seq replacement,
/// ttl (clamped to the node's maximum), and quotas (value size, values per key, total bytes).
/// </summary>
internal sealed class ValueStore(KademliaOptions options, TimeProvider time)
{
    private readonly Dictionary<NodeId, SortedDictionary<ulong, StoredValue>> _keys = [];
    private readonly Lock _lock = new();
    private long _bytes;
    private int _count;

    /// <summary>Raised outside the lock when a value is added or replaced (not on a plain refresh).</summary>
    public event Action<StoredValue>? Changed;

    /// <summary>Raised when a value is stored or refreshed (for persistence).</summary>
    public event Action<StoredValue>? Saved;

    /// <summary>Raised when a value expires.</summary>
    public event Action<NodeId, ulong>? Expired;

    public long Bytes => Interlocked.Read(ref _bytes);
    public int Count => Volatile.Read(ref _count);

    public int KeyCount
    {
        get { lock (_lock) return _keys.Count; }
    }

    public ErrorCode Store(NodeId key, DhtValue value) => Store(key, value, null);

    /// <summary>Stores with an explicit expiry (values loaded from persistence).</summary>
    public ErrorCode Store(NodeId key, DhtValue value, DateTimeOffset? expires)
    {
        var check = ValueRules.Check(key, value, options.MaxValueSize);
        if (check != ErrorCode.ErrorNone) return check;
        var now = time.GetUtcNow();
        var ttl = Ttl(value);
        if (value.Wire.RemainingSeconds != 0)
        {
            var remaining = TimeSpan.FromSeconds(value.Wire.RemainingSeconds);
            if (remaining < ttl) ttl = remaining;
            var wire = value.Wire.Clone();
            wire.RemainingSeconds = 0;
            value = new DhtValue(wire);
        }
        var until = expires ?? now + ttl;
        if (until <= now) return ErrorCode.ErrorNone;
        var stored = new StoredValue(key, value, until);
        var size = SizeOf(value);
        bool changed;
        lock (_lock)
        {
            if (!_keys.TryGetValue(key, out var values))
                values = null;
            if (values is not null && values.TryGetValue(value.Id, out var existing) && existing.Expires > now)
            {
                var (code, replace) = ValueRules.Replacement(existing.Value, value);
                if (code != ErrorCode.ErrorNone) return code;
                var delta = size - SizeOf(existing.Value);
                if (replace && delta > 0 && _bytes + delta > options.MaxStoreBytes) return ErrorCode.ErrorStoreFull;
                if (replace) _bytes += delta;
                else stored = existing with { Expires = until > existing.Expires ? until : existing.Expires };
                values[value.Id] = stored;
                changed = replace;
            }
            else
            {
                if (values is not null && values.TryGetValue(value.Id, out var expired))
                {
                    values.Remove(value.Id);
                    _bytes -= SizeOf(expired.Value);
                    _count--;
                }
                if (values is not null && values.Count >= options.MaxValuesPerKey) return ErrorCode.ErrorTooManyValues;
                if (_bytes + size > options.MaxStoreBytes) return ErrorCode.ErrorStoreFull;
                if (values is null)
                {
                    values = [];
                    _keys[key] = values;
                }
                values[value.Id] = stored;
                _bytes += size;
                _count++;
                changed = true;
            }
        }
        Saved?.Invoke(stored);
        if (changed) Changed?.Invoke(stored);
        return ErrorCode.ErrorNone;
    }

    public List<DhtValue> Get(NodeId key)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_keys.TryGetValue(key, out var values)) return [];
            return values.Values.Where(v => v.Expires > now).Select(v => v.Value).ToList();
        }
    }

    public List<StoredValue> All()
    {
        lock (_lock) return _keys.Values.SelectMany(v => v.Values).ToList();
    }

    /// <summary>Drops expired values; returns how many.</summary>
    public int Sweep()
    {
        var now = time.GetUtcNow();
        var removed = new List<StoredValue>();
        var emptied = new List<NodeId>();
        lock (_lock)
        {
            foreach (var (key, values) in _keys)
            {
                var first = removed.Count;
                foreach (var stored in values.Values)
                    if (stored.Expires <= now) removed.Add(stored);
                for (var i = first; i < removed.Count; i++)
                {
                    values.Remove(removed[i].Value.Id);
                    _bytes -= SizeOf(removed[i].Value);
                    _count--;
                }
                if (values.Count == 0) emptied.Add(key);
            }
            foreach (var key in emptied) _keys.Remove(key);
        }
        foreach (var stored in removed) Expired?.Invoke(stored.Key, stored.Value.Id);
        return removed.Count;
    }

    private TimeSpan Ttl(DhtValue value)
    {
        var ttl = value.Ttl ?? options.DefaultValueTtl;
        return ttl > options.MaxValueTtl ? options.MaxValueTtl : ttl;
    }

    internal static long SizeOf(DhtValue value) => value.Wire.CalculateSize() + NodeId.Length;
}
