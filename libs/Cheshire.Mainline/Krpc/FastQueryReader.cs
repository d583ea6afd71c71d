namespace Cheshire.Mainline.Krpc;

/// <summary>
/// A zero-allocation reader for the common KRPC query shapes: a top-level dictionary with keys in strictly
/// ascending order, <c>y</c> = <c>q</c>, <c>q</c> = ping / find_node / get_peers, <c>a</c> a flat dictionary holding
/// a 20-byte <c>id</c> (and <c>target</c> / <c>info_hash</c>) and no <c>want</c>. It accepts only inputs that
/// <see cref="KrpcMessage.Parse"/> accepts with the same meaning; anything else (including every malformed input)
/// returns false, and the caller falls back to the general decoder.
/// </summary>
internal static class FastQueryReader
{
    private const int IdLength = NodeId.Length;

    /// <summary>Longer inputs go to the general decoder, which also enforces its value count limit.</summary>
    private const int MaxLength = 4096;

    public static bool TryRead(ReadOnlySpan<byte> input, out FastQuery query)
    {
        query = default;
        if (input.Length is < 2 or > MaxLength || input[0] != (byte)'d' || input[^1] != (byte)'e')
            return false;
        var p = 1;
        ReadOnlySpan<byte> lastKey = default;
        Range t = default, method = default, id = default, target = default, infohash = default;
        bool hasT = false, hasY = false, hasQ = false, hasA = false, readOnly = false, first = true;
        while (p < input.Length - 1)
        {
            if (!TryString(input, ref p, out var keyRange) || p >= input.Length - 1)
                return false;
            var key = input[keyRange];
            if (!first && key.SequenceCompareTo(lastKey) <= 0)
                return false;
            first = false;
            lastKey = key;
            if (key.SequenceEqual("a"u8))
            {
                if (!TryArguments(input, ref p, out id, out target, out infohash))
                    return false;
                hasA = true;
            }
            else if (input[p] == (byte)'i')
            {
                if (!TryInteger(input, ref p, out var value))
                    return false;
                if (key.SequenceEqual("ro"u8))
                    readOnly = value == 1;
                else if (key.SequenceEqual("t"u8) || key.SequenceEqual("y"u8) || key.SequenceEqual("q"u8))
                    return false;
            }
            else
            {
                if (!TryString(input, ref p, out var value))
                    return false;
                if (key.SequenceEqual("t"u8)) { t = value; hasT = true; }
                else if (key.SequenceEqual("y"u8)) { hasY = input[value].SequenceEqual("q"u8); if (!hasY) return false; }
                else if (key.SequenceEqual("q"u8)) { method = value; hasQ = true; }
            }
        }
        if (p != input.Length - 1 || !hasT || !hasY || !hasQ || !hasA || id.End.Value - id.Start.Value != IdLength)
            return false;
        var name = input[method];
        FastMethod kind;
        Range needed;
        if (name.SequenceEqual("ping"u8)) { kind = FastMethod.Ping; needed = default; }
        else if (name.SequenceEqual("find_node"u8)) { kind = FastMethod.FindNode; needed = target; }
        else if (name.SequenceEqual("get_peers"u8)) { kind = FastMethod.GetPeers; needed = infohash; }
        else return false;
        if (kind != FastMethod.Ping && needed.End.Value - needed.Start.Value != IdLength)
            return false;
        query = new FastQuery { Method = kind, TransactionId = t, Id = id, Target = needed, ReadOnly = readOnly };
        return true;
    }

    /// <summary>The flat <c>a</c> dictionary: strings and integers only, ascending keys, no <c>want</c>.</summary>
    private static bool TryArguments(ReadOnlySpan<byte> input, ref int p, out Range id, out Range target, out Range infohash)
    {
        id = target = infohash = default;
        if (input[p] != (byte)'d')
            return false;
        p++;
        ReadOnlySpan<byte> lastKey = default;
        var first = true;
        while (p < input.Length && input[p] != (byte)'e')
        {
            if (!TryString(input, ref p, out var keyRange))
                return false;
            var key = input[keyRange];
            if (!first && key.SequenceCompareTo(lastKey) <= 0)
                return false;
            first = false;
            lastKey = key;
            if (p >= input.Length)
                return false;
            if (input[p] == (byte)'i')
            {
                if (!TryInteger(input, ref p, out _))
                    return false;
                continue;
            }
            if (!TryString(input, ref p, out var value) || key.SequenceEqual("want"u8))
                return false;
            if (key.SequenceEqual("id"u8)) id = value;
            else if (key.SequenceEqual("target"u8)) target = value;
            else if (key.SequenceEqual("info_hash"u8)) infohash = value;
        }
        if (p >= input.Length)
            return false;
        p++; // 'e'
        return true;
    }

    /// <summary>A byte string with a canonical length prefix; returns the range of its bytes.</summary>
    private static bool TryString(ReadOnlySpan<byte> input, ref int p, out Range value)
    {
        value = default;
        var start = p;
        var length = 0;
        while (p < input.Length && input[p] is >= (byte)'0' and <= (byte)'9')
        {
            if (p - start >= 6)
                return false;
            length = length * 10 + (input[p] - '0');
            p++;
        }
        if (p == start || p >= input.Length || input[p] != (byte)':' || (p - start > 1 && input[start] == (byte)'0'))
            return false;
        p++;
        if (length > input.Length - p)
            return false;
        value = p..(p + length);
        p += length;
        return true;
    }

    /// <summary>A canonical non-negative integer of at most 18 digits.</summary>
    private static bool TryInteger(ReadOnlySpan<byte> input, ref int p, out long value)
    {
        value = 0;
        var start = ++p; // 'i'
        while (p < input.Length && input[p] is >= (byte)'0' and <= (byte)'9')
        {
            if (p - start >= 18)
                return false;
            value = value * 10 + (input[p] - '0');
            p++;
        }
        if (p == start || p >= input.Length || input[p] != (byte)'e' || (p - start > 1 && input[start] == (byte)'0'))
            return false;
        p++;
        return true;
    }
}
