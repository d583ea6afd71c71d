using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Cheshire.Mainline.Bencode;

/// <summary>
/// A dictionary with byte-string keys, always kept in canonical order (raw byte order), so encoding is canonical.
/// </summary>
public sealed class BDictionary : BValue, IEnumerable<KeyValuePair<ReadOnlyMemory<byte>, BValue>>
{
    private readonly List<KeyValuePair<ReadOnlyMemory<byte>, BValue>> _entries = [];

    public int Count => _entries.Count;

    public BValue this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);
        set => Set(Encoding.UTF8.GetBytes(key), value);
    }

    /// <summary>Adds or replaces an entry.</summary>
    public void Set(ReadOnlyMemory<byte> key, BValue value)
    {
        var index = IndexOf(key.Span);
        if (index >= 0)
            _entries[index] = new(key, value);
        else
            _entries.Insert(~index, new(key, value));
    }

    /// <summary>Adds an entry; returns false when the key is already present.</summary>
    internal bool TryAdd(ReadOnlyMemory<byte> key, BValue value)
    {
        var index = IndexOf(key.Span);
        if (index >= 0)
            return false;
        _entries.Insert(~index, new(key, value));
        return true;
    }

    /// <summary>Appends an entry known to sort after every present key (used by the strict decoder).</summary>
    internal void AppendSorted(ReadOnlyMemory<byte> key, BValue value) => _entries.Add(new(key, value));

    /// <summary>The last key, for the decoder's order check.</summary>
    internal ReadOnlySpan<byte> LastKey => _entries.Count == 0 ? default : _entries[^1].Key.Span;

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [NotNullWhen(true)] out BValue? value)
    {
        Span<byte> buffer = stackalloc byte[64];
        var count = Encoding.UTF8.GetByteCount(key);
        var bytes = count <= buffer.Length ? buffer[..count] : new byte[count];
        Encoding.UTF8.GetBytes(key, bytes);
        return TryGetValue(bytes, out value);
    }

    public bool TryGetValue(ReadOnlySpan<byte> key, [NotNullWhen(true)] out BValue? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return value is not null;
    }

    public bool Remove(string key)
    {
        var index = IndexOf(Encoding.UTF8.GetBytes(key));
        if (index < 0)
            return false;
        _entries.RemoveAt(index);
        return true;
    }

    public T? Get<T>(string key) where T : BValue => TryGetValue(key, out var value) ? value as T : null;

    public IEnumerator<KeyValuePair<ReadOnlyMemory<byte>, BValue>> GetEnumerator() => _entries.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(ReadOnlySpan<byte> key)
    {
        int lo = 0, hi = _entries.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var cmp = _entries[mid].Key.Span.SequenceCompareTo(key);
            if (cmp == 0)
                return mid;
            if (cmp < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        return ~lo;
    }
}
