using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Storage;

/// <summary>A stored BEP 44 item. <see cref="Value"/> is the bencoded <c>v</c> exactly as received.</summary>
public sealed record DhtItem(NodeId Target, ReadOnlyMemory<byte> Value, byte[]? PublicKey, byte[] Salt, long Sequence, byte[]? Signature)
{
    public bool IsMutable => PublicKey is not null;
}

public sealed record ItemStoreOptions
{
    public int MaxItems { get; init; } = 1_000;

    /// <summary>Items not re-put within this time are dropped (BEP 44 suggests re-announcing hourly).</summary>
    public TimeSpan ItemTtl { get; init; } = TimeSpan.FromHours(2);
}

/// <summary>BEP 44 storage with the store-side rules (cas, seq) and limits. Thread-safe.</summary>
public sealed class ItemStore(ItemStoreOptions options, TimeProvider clock)
{
    private readonly Dictionary<NodeId, (DhtItem Item, DateTimeOffset StoredAt)> _items = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get { lock (_lock) return _items.Count; }
    }

    public DhtItem? Get(NodeId target)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
            return _items.TryGetValue(target, out var entry) && now - entry.StoredAt < options.ItemTtl ? entry.Item : null;
    }

    /// <summary>
    /// Stores an item whose signature and size were already checked. Mutable items obey BEP 44:
    /// <c>cas</c> must equal the stored seq (301), seq must not go back (302).
    /// </summary>
    public void Put(DhtItem item, long? cas)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (_items.TryGetValue(item.Target, out var existing) && now - existing.StoredAt < options.ItemTtl)
            {
                if (item.IsMutable)
                {
                    if (cas is { } expected && existing.Item.Sequence != expected)
                        throw new KrpcException(KrpcErrorCode.CasMismatch, "CAS mismatch");
                    if (item.Sequence < existing.Item.Sequence)
                        throw new KrpcException(KrpcErrorCode.SequenceTooOld, "sequence number less than current");
                }
                _items[item.Target] = (item, now);
                return;
            }
            if (_items.Count >= options.MaxItems)
            {
                ExpireLocked(now);
                if (_items.Count >= options.MaxItems)
                    _items.Remove(_items.MinBy(e => e.Value.StoredAt).Key);
            }
            _items[item.Target] = (item, now);
        }
    }

    public void Expire()
    {
        lock (_lock)
            ExpireLocked(clock.GetUtcNow());
    }

    private void ExpireLocked(DateTimeOffset now)
    {
        foreach (var (target, entry) in _items.ToList())
            if (now - entry.StoredAt >= options.ItemTtl)
                _items.Remove(target);
    }
}
