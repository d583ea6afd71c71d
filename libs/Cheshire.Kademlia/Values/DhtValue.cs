using System.Buffers.Binary;
using System.Text;
using Cheshire.Identity;
using Google.Protobuf;
using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia.Values;

public enum ValueKind
{
    Plain,
    Signed,
    Encrypted,
}

/// <summary>
/// One value stored under a key. Plain values are anyone's; signed values carry the owner's
/// Ed25519 key and a signature over (key, id, seq, type, recipient, data) and are only replaced by the
/// same owner with a higher seq; encrypted values carry ciphertext only the recipient can open
/// (and may be signed as well).
/// </summary>
public sealed class DhtValue : IEquatable<DhtValue>
{
    private const string SigningDomain = "cheshire-dht-value-v1";
    public const int MaxTypeLength = 64;

    internal DhtValue(Value wire) => Wire = wire;

    internal Value Wire { get; }

    public ulong Id => Wire.Id;
    public ReadOnlyMemory<byte> Data => Wire.Data.Memory;
    public ulong Seq => Wire.Seq;
    public string Type => Wire.Type;
    public TimeSpan? Ttl => Wire.TtlSeconds == 0 ? null : TimeSpan.FromSeconds(Wire.TtlSeconds);

    /// <summary>The owner's raw Ed25519 public key, or null for unsigned values.</summary>
    public byte[]? Owner => Wire.Owner.IsEmpty ? null : Wire.Owner.ToByteArray();

    /// <summary>SHA1 of the recipient's X25519 public key, or null when not encrypted.</summary>
    public byte[]? Recipient => Wire.Recipient.IsEmpty ? null : Wire.Recipient.ToByteArray();

    public bool IsSigned => !Wire.Signature.IsEmpty;
    public bool IsEncrypted => !Wire.Recipient.IsEmpty;
    public ValueKind Kind => IsEncrypted ? ValueKind.Encrypted : IsSigned ? ValueKind.Signed : ValueKind.Plain;

    public static DhtValue Plain(ulong id, ReadOnlySpan<byte> data, TimeSpan? ttl = null, string type = "") =>
        new(new Value { Id = id, Data = ByteString.CopyFrom(data), TtlSeconds = TtlSeconds(ttl), Type = type });

    public static DhtValue Plain(ulong id, string text, TimeSpan? ttl = null) => Plain(id, Encoding.UTF8.GetBytes(text), ttl);

    /// <summary>A value signed by <paramref name="owner"/> for <paramref name="key"/>.</summary>
    public static DhtValue Signed(NodeId key, ulong id, ulong seq, ReadOnlySpan<byte> data, NodeIdentity owner, TimeSpan? ttl = null, string type = "")
    {
        var wire = new Value
        {
            Id = id,
            Seq = seq,
            Data = ByteString.CopyFrom(data),
            Owner = ByteString.CopyFrom(owner.PublicKey),
            TtlSeconds = TtlSeconds(ttl),
            Type = type,
        };
        wire.Signature = ByteString.CopyFrom(owner.Sign(SigningInput(key, wire)));
        return new DhtValue(wire);
    }

    /// <summary>A value encrypted to <paramref name="recipientPublicKey"/> (X25519), optionally signed by <paramref name="owner"/>.</summary>
    public static DhtValue Encrypted(NodeId key, ulong id, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> recipientPublicKey,
        NodeIdentity? owner = null, ulong seq = 0, TimeSpan? ttl = null, string type = "")
    {
        var wire = new Value
        {
            Id = id,
            Seq = seq,
            Recipient = ByteString.CopyFrom(EncryptionKeyPair.Fingerprint(recipientPublicKey)),
            TtlSeconds = TtlSeconds(ttl),
            Type = type,
        };
        wire.Data = ByteString.CopyFrom(ValueCrypto.Seal(recipientPublicKey, AssociatedData(key, id), plaintext));
        if (owner is not null)
        {
            wire.Owner = ByteString.CopyFrom(owner.PublicKey);
            wire.Signature = ByteString.CopyFrom(owner.Sign(SigningInput(key, wire)));
        }
        return new DhtValue(wire);
    }

    /// <summary>Opens an encrypted value; false if it is not addressed to <paramref name="recipient"/> or was tampered with.</summary>
    public bool TryDecrypt(NodeId key, EncryptionKeyPair recipient, out byte[] plaintext)
    {
        plaintext = [];
        if (!IsEncrypted || !Wire.Recipient.Span.SequenceEqual(recipient.PublicKeyFingerprint))
            return false;
        return ValueCrypto.TryOpen(recipient, AssociatedData(key, Id), Wire.Data.Span, out plaintext);
    }

    /// <summary>True for unsigned values and for signed values whose signature verifies for <paramref name="key"/>.</summary>
    public bool VerifySignature(NodeId key)
    {
        if (!IsSigned) return Wire.Owner.IsEmpty;
        return NodeIdentity.Verify(Wire.Owner.Span, SigningInput(key, Wire), Wire.Signature.Span);
    }

    internal static byte[] SigningInput(NodeId key, Value value)
    {
        var type = Encoding.UTF8.GetBytes(value.Type);
        var domain = Encoding.ASCII.GetBytes(SigningDomain);
        var buffer = new byte[domain.Length + NodeId.Length + 8 + 8 + 4 + 2 + type.Length + 1 + value.Recipient.Length + value.Data.Length];
        var span = buffer.AsSpan();
        domain.CopyTo(span);
        span = span[domain.Length..];
        key.WriteTo(span);
        span = span[NodeId.Length..];
        BinaryPrimitives.WriteUInt64BigEndian(span, value.Id);
        BinaryPrimitives.WriteUInt64BigEndian(span[8..], value.Seq);
        BinaryPrimitives.WriteUInt32BigEndian(span[16..], value.TtlSeconds);
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], (ushort)type.Length);
        span = span[22..];
        type.CopyTo(span);
        span = span[type.Length..];
        span[0] = (byte)value.Recipient.Length;
        value.Recipient.Span.CopyTo(span[1..]);
        value.Data.Span.CopyTo(span[(1 + value.Recipient.Length)..]);
        return buffer;
    }

    private static byte[] AssociatedData(NodeId key, ulong id)
    {
        var ad = new byte[NodeId.Length + 8];
        key.WriteTo(ad);
        BinaryPrimitives.WriteUInt64BigEndian(ad.AsSpan(NodeId.Length), id);
        return ad;
    }

    private static uint TtlSeconds(TimeSpan? ttl) => ttl is { } t ? (uint)Math.Clamp(Math.Ceiling(t.TotalSeconds), 1, uint.MaxValue) : 0;

    /// <summary>Same id, owner, seq and data.</summary>
    public bool Equals(DhtValue? other) => other is not null && Wire.Equals(other.Wire);

    public override bool Equals(object? obj) => Equals(obj as DhtValue);

    public override int GetHashCode() => Wire.GetHashCode();

    public override string ToString() => $"value {Id:x16} seq {Seq} {Kind} {Data.Length} bytes";
}
