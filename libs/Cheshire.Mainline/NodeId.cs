using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Cheshire.Mainline;

/// <summary>A 160-bit id: node ids, infohashes and BEP 44 targets share this space. Compared big-endian.</summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    public const int Length = 20;
    private readonly byte[]? _bytes;

    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"An id is {Length} bytes, not {bytes.Length}.", nameof(bytes));
        _bytes = bytes.ToArray();
    }

    private NodeId(byte[] bytes, bool _) => _bytes = bytes;

    public ReadOnlySpan<byte> Span => _bytes ?? new byte[Length];

    public byte[] ToArray() => Span.ToArray();

    public static NodeId Zero => new(new byte[Length], true);

    public static NodeId Random() => new(RandomNumberGenerator.GetBytes(Length), true);

    public static NodeId Parse(string hex) => new(Convert.FromHexString(hex));

    /// <summary>SHA1 of the given bytes (infohashes, BEP 44 targets).</summary>
    public static NodeId Sha1(ReadOnlySpan<byte> data) => new(SHA1.HashData(data), true);

    public static NodeId Sha1(string text) => Sha1(Encoding.UTF8.GetBytes(text));

    public static bool TryRead(ReadOnlySpan<byte> bytes, out NodeId id)
    {
        id = bytes.Length == Length ? new NodeId(bytes) : default;
        return bytes.Length == Length;
    }

    /// <summary>XOR distance.</summary>
    public NodeId Xor(NodeId other)
    {
        var result = new byte[Length];
        var a = Span;
        var b = other.Span;
        for (var i = 0; i < Length; i++)
            result[i] = (byte)(a[i] ^ b[i]);
        return new NodeId(result, true);
    }

    /// <summary>Number of leading bits this id shares with another (160 when equal).</summary>
    public int CommonPrefixLength(NodeId other)
    {
        var a = Span;
        var b = other.Span;
        for (var i = 0; i < Length; i++)
        {
            var x = a[i] ^ b[i];
            if (x != 0)
                return i * 8 + BitOperations.LeadingZeroCount((uint)x) - 24;
        }
        return Length * 8;
    }

    /// <summary>Compares the distances of two ids to this one: negative when <paramref name="a"/> is closer.</summary>
    public int CompareDistance(NodeId a, NodeId b)
    {
        var self = Span;
        var x = a.Span;
        var y = b.Span;
        for (var i = 0; i < Length; i++)
        {
            var dx = self[i] ^ x[i];
            var dy = self[i] ^ y[i];
            if (dx != dy)
                return dx < dy ? -1 : 1;
        }
        return 0;
    }

    /// <summary>A random id sharing exactly <paramref name="prefix"/> leading bits with this one (used for bucket refresh).</summary>
    public NodeId RandomWithPrefix(int prefix)
    {
        var bytes = RandomNumberGenerator.GetBytes(Length);
        var self = Span;
        for (var bit = 0; bit < Math.Min(prefix + 1, Length * 8); bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            var ownBit = (self[bit / 8] & mask) != 0;
            var set = bit < prefix ? ownBit : !ownBit;
            bytes[bit / 8] = (byte)(set ? bytes[bit / 8] | mask : bytes[bit / 8] & ~mask);
        }
        return new NodeId(bytes, true);
    }

    public bool Equals(NodeId other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(Span);

    public int CompareTo(NodeId other) => Span.SequenceCompareTo(other.Span);

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    public override string ToString() => Convert.ToHexStringLower(Span);
}
