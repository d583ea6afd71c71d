using System.Text;

namespace Cheshire.Mainline.Bencode;

/// <summary>A bencoded value. Decoded values keep <see cref="Raw"/>, the exact input bytes they came from.</summary>
public abstract class BValue
{
    /// <summary>The exact bytes this value was decoded from; empty for values built in code.</summary>
    public ReadOnlyMemory<byte> Raw { get; internal set; }

    /// <summary>The canonical encoding of this value (sorted dictionary keys).</summary>
    public byte[] Encode() => BencodeWriter.Encode(this);

    public override string ToString() => Encoding.UTF8.GetString(Encode());
}

/// <summary>A byte string. Decoded strings are slices of the input buffer (no copy).</summary>
public sealed class BString(ReadOnlyMemory<byte> value) : BValue
{
    public ReadOnlyMemory<byte> Value { get; } = value;

    public ReadOnlySpan<byte> Span => Value.Span;

    public int Length => Value.Length;

    public string Text => Encoding.UTF8.GetString(Value.Span);

    public static BString From(string text) => new(Encoding.UTF8.GetBytes(text));

    public static implicit operator BString(string text) => From(text);

    public static implicit operator BString(byte[] bytes) => new(bytes);
}

/// <summary>A signed 64-bit integer; larger integers are rejected by the decoder.</summary>
public sealed class BInteger(long value) : BValue
{
    public long Value { get; } = value;

    public static implicit operator BInteger(long value) => new(value);
}

/// <summary>A list of values.</summary>
public sealed class BList : BValue, IReadOnlyList<BValue>
{
    private readonly List<BValue> _items;

    public BList() => _items = [];

    public BList(IEnumerable<BValue> items) => _items = [.. items];

    public BValue this[int index] => _items[index];

    public int Count => _items.Count;

    public void Add(BValue item) => _items.Add(item);

    public IEnumerator<BValue> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// An already-encoded value written verbatim (e.g. a BEP 44 <c>v</c> forwarded byte for byte, since its
/// signature covers the exact bytes). Create it only from bytes that decode as one bencoded value.
/// </summary>
public sealed class BRaw : BValue
{
    public BRaw(ReadOnlyMemory<byte> encoded, BencodeOptions? options = null)
    {
        BencodeReader.Decode(encoded, options);
        Raw = encoded;
    }
}
