using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Cheshire.Kademlia;

/// <summary>A 160-bit Kademlia identifier (node id or key), big-endian, compared by XOR distance.</summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    public const int Length = 20;
    public const int Bits = 160;

    private readonly ulong _hi;
    private readonly ulong _mid;
    private readonly uint _lo;

    private NodeId(ulong hi, ulong mid, uint lo)
    {
        _hi = hi;
        _mid = mid;
        _lo = lo;
    }

    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"A node id is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        _hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _mid = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _lo = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    public static NodeId Zero => default;

    public static bool TryParse(ReadOnlySpan<byte> bytes, out NodeId id)
    {
        if (bytes.Length != Length)
        {
            id = default;
            return false;
        }
        id = new NodeId(bytes);
        return true;
    }

    public static NodeId FromHex(string hex) => new(Convert.FromHexString(hex));

    /// <summary>SHA1 of arbitrary data: how keys are made from names.</summary>
    public static NodeId Hash(ReadOnlySpan<byte> data) => new(SHA1.HashData(data));

    public static NodeId Hash(string text) => Hash(System.Text.Encoding.UTF8.GetBytes(text));

    public static NodeId Random()
    {
        Span<byte> bytes = stackalloc byte[Length];
        System.Random.Shared.NextBytes(bytes);
        return new NodeId(bytes);
    }

    public static NodeId operator ^(NodeId a, NodeId b) => new(a._hi ^ b._hi, a._mid ^ b._mid, a._lo ^ b._lo);

    public static bool operator ==(NodeId a, NodeId b) => a.Equals(b);

    public static bool operator !=(NodeId a, NodeId b) => !a.Equals(b);

    /// <summary>Number of leading zero bits; 160 for zero.</summary>
    public int LeadingZeroBits()
    {
        if (_hi != 0) return BitOperations.LeadingZeroCount(_hi);
        if (_mid != 0) return 64 + BitOperations.LeadingZeroCount(_mid);
        if (_lo != 0) return 128 + BitOperations.LeadingZeroCount(_lo);
        return Bits;
    }

    /// <summary>Length of the common bit prefix of this id and <paramref name="other"/>.</summary>
    public int CommonPrefixLength(NodeId other) => (this ^ other).LeadingZeroBits();

    /// <summary>The bit at <paramref name="index"/> counted from the most significant bit.</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Bits);
        if (index < 64) return ((_hi >> (63 - index)) & 1) != 0;
        if (index < 128) return ((_mid >> (127 - index)) & 1) != 0;
        return ((_lo >> (159 - index)) & 1) != 0;
    }

    /// <summary>A random id sharing exactly <paramref name="prefixLength"/> leading bits with this id.</summary>
    public NodeId RandomWithCommonPrefix(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(prefixLength, Bits);
        var random = Random();
        // distance: zero for the first prefixLength bits, one at prefixLength, random after.
        var mask = Mask(prefixLength);
        var flip = Bit(prefixLength);
        var distance = new NodeId(
            (random._hi & ~mask._hi) | flip._hi,
            (random._mid & ~mask._mid) | flip._mid,
            (random._lo & ~mask._lo) | flip._lo);
        return this ^ distance;
    }

    // Ones in the first n bits.
    private static NodeId Mask(int n) => new(
        n >= 64 ? ulong.MaxValue : n == 0 ? 0 : ulong.MaxValue << (64 - n),
        n >= 128 ? ulong.MaxValue : n <= 64 ? 0 : ulong.MaxValue << (128 - n),
        n >= 160 ? uint.MaxValue : n <= 128 ? 0 : uint.MaxValue << (160 - n));

    private static NodeId Bit(int index) => index < 64
        ? new NodeId(1UL << (63 - index), 0, 0)
        : index < 128 ? new NodeId(0, 1UL << (127 - index), 0) : new NodeId(0, 0, 1u << (159 - index));

    /// <summary>Compares the distances of <paramref name="a"/> and <paramref name="b"/> to this id.</summary>
    public int CompareDistance(NodeId a, NodeId b) => (this ^ a).CompareTo(this ^ b);

    public int CompareTo(NodeId other)
    {
        var c = _hi.CompareTo(other._hi);
        if (c != 0) return c;
        c = _mid.CompareTo(other._mid);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    public bool Equals(NodeId other) => _hi == other._hi && _mid == other._mid && _lo == other._lo;

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_hi, _mid, _lo);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _mid);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _lo);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Length];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
