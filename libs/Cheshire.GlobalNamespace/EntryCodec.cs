using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Values;
using Google.Protobuf;

namespace Cheshire.GlobalNamespace;

/// <summary>
/// Namespace entries as DHT values: the entry encoded (Protos/namespace_entry.proto), put under its directory key as
/// a value signed by the publishing node (or sealed to the owner's key and signed), with the type tag
/// <see cref="TypeTag"/> and a value id derived from name, owner uid and node. Reading verifies everything a reader
/// must not take on trust and refuses the rest with a reason; the README lists the rules.
/// </summary>
public static class EntryCodec
{
    public const string TypeTag = "cheshire/ns-entry/1";
    public const uint Version = 1;

    /// <summary>Larger plaintexts are refused before parsing (a full entry is well under 2 KiB).</summary>
    public const int MaxEncodedLength = 8192;

    /// <summary>Tolerated clock difference when checking that an entry does not claim to hold too long.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly byte[] IdDomain = Encoding.ASCII.GetBytes("cheshire/ns-entry-id/1");

    /// <summary>
    /// The DHT value id of the child <paramref name="name"/> published by node <paramref name="nodeId"/> for
    /// <paramref name="ownerUid"/>: the first 8 bytes (big-endian) of SHA1(domain, 0, uid, 0, node id, 0, name), never 0
    /// (0 asks the dht module for a random id). The node is part of it because the DHT lets only the node key that
    /// stored a value id replace it: two nodes of one user publishing the same ancestor must not collide.
    /// </summary>
    public static ulong ValueId(string name, string ownerUid, NodeId nodeId)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ownerUid);
        byte[] input = [.. IdDomain, 0, .. Encoding.UTF8.GetBytes(ownerUid), 0, .. nodeId.ToArray(), 0, .. Encoding.UTF8.GetBytes(name)];
        var id = BinaryPrimitives.ReadUInt64BigEndian(SHA1.HashData(input));
        return id == 0 ? 1 : id;
    }

    /// <summary>The plaintext of the DHT value (what a dht gRPC Put carries as data).</summary>
    public static byte[] Encode(NamespaceEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.ShapeProblem() is { } problem)
            throw new ArgumentException($"Not a valid namespace entry: {problem}", nameof(entry));
        return EncodeUnchecked(entry);
    }

    /// <summary>The encoding without the checks (tests use it to play a publisher that skips them).</summary>
    internal static byte[] EncodeUnchecked(NamespaceEntry entry)
    {
        var wire = new Wire.Entry
        {
            Version = Version,
            Name = entry.Name,
            OwnerUid = ByteString.CopyFrom(Convert.FromHexString(entry.OwnerUid)),
            NodeId = ByteString.CopyFrom(entry.NodeId.ToArray()),
            Kind = (Wire.EntryKind)entry.Kind,
            ExpiryUnixMs = entry.Expiry.ToUnixTimeMilliseconds(),
            Seq = entry.Seq,
            UserBinding = ByteString.CopyFrom(entry.Binding.ToBytes()),
        };
        wire.Addresses.AddRange(entry.Addresses);
        return wire.ToByteArray();
    }

    /// <summary>The DHT ttl of an entry put at <paramref name="now"/>: until its expiry, at most <see cref="NamespaceEntry.MaxLifetime"/>.</summary>
    public static TimeSpan Ttl(NamespaceEntry entry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var ttl = entry.Expiry - now;
        if (ttl <= TimeSpan.Zero)
            throw new ArgumentException($"The entry '{entry.Name}' expired at {entry.Expiry:u}, before {now:u}.", nameof(entry));
        if (ttl > NamespaceEntry.MaxLifetime)
            throw new ArgumentException($"The entry '{entry.Name}' expires {ttl} from now; at most {NamespaceEntry.MaxLifetime} is allowed.", nameof(entry));
        return ttl;
    }

    /// <summary>
    /// The DHT value for <paramref name="entry"/> under <paramref name="key"/> (its directory's key), signed by
    /// <paramref name="node"/>; with <paramref name="encryptToOwner"/> sealed to <paramref name="user"/>'s owner key
    /// (see <see cref="OwnerEncryption"/>) as well. Throws ArgumentException when the entry is not this node's and
    /// this user's, or not valid.
    /// </summary>
    public static DhtValue ToDhtValue(NamespaceEntry entry, NodeId key, NodeIdentity node, UserIdentity user, bool encryptToOwner,
        DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(user);
        if (entry.NodeId != new NodeId(node.NodeId))
            throw new ArgumentException($"The entry names node {entry.NodeId}, but node {node.NodeIdHex} would sign it.", nameof(entry));
        if (entry.OwnerUid != user.Uid)
            throw new ArgumentException($"The entry names owner {entry.OwnerUid}, but the user is {user.Uid}.", nameof(entry));
        if (entry.Binding is null || entry.Binding.Uid != user.Uid || !entry.Binding.Verify(node.PublicKey))
            throw new ArgumentException($"The entry's user binding is not user {user.Uid}'s signature over node {node.NodeIdHex}'s key.", nameof(entry));
        var data = Encode(entry);
        var ttl = Ttl(entry, now ?? DateTimeOffset.UtcNow);
        return encryptToOwner
            ? DhtValue.Encrypted(key, entry.ValueId, data, OwnerEncryption.PublicKey(user), node, entry.Seq, ttl, TypeTag)
            : DhtValue.Signed(key, entry.ValueId, entry.Seq, data, node, ttl, TypeTag);
    }

    /// <summary>
    /// Reads a value found under <paramref name="key"/>: checks the type tag and the DHT signature for this key, opens
    /// it with <paramref name="decryptionKey"/> when it is sealed, then applies <see cref="TryReadSigned"/>. False with
    /// the reason in <paramref name="whyNot"/> for anything a reader must drop; never throws for bad content.
    /// </summary>
    public static bool TryRead(DhtValue value, NodeId key, DateTimeOffset now, EncryptionKeyPair? decryptionKey,
        out NamespaceEntry entry, out string whyNot)
    {
        ArgumentNullException.ThrowIfNull(value);
        entry = null!;
        if (value.Type != TypeTag)
            return Refuse(out whyNot, $"the type tag '{value.Type}' is not '{TypeTag}'.");
        if (!value.IsSigned || value.Owner is not { Length: 32 } owner)
            return Refuse(out whyNot, "the value is not signed: the owner node key is missing.");
        if (!value.VerifySignature(key))
            return Refuse(out whyNot, "the DHT signature does not verify for this key (tampered, or copied from another directory or salt).");
        var plaintext = value.Data.ToArray();
        if (value.IsEncrypted)
        {
            if (decryptionKey is null)
                return Refuse(out whyNot, "the entry is encrypted to its owner, and no decryption key was given.");
            if (!value.TryDecrypt(key, decryptionKey, out plaintext))
                return Refuse(out whyNot, "the entry is encrypted to another key (or its ciphertext was altered).");
        }
        return TryReadSigned(owner, value.Type, value.Id, value.Seq, plaintext, now, out entry, out whyNot);
    }

    /// <summary>
    /// Reads the plaintext of a value whose DHT signature for the directory key has already been verified — what a
    /// dht gRPC Get returns (owner = the signer's key; data opened when a decryption key was given; skip values still
    /// encrypted). Checks the entry against its signer and binding, the value's id and seq, and expiry at
    /// <paramref name="now"/>.
    /// </summary>
    public static bool TryReadSigned(ReadOnlySpan<byte> ownerKey, string type, ulong valueId, ulong valueSeq, ReadOnlySpan<byte> plaintext,
        DateTimeOffset now, out NamespaceEntry entry, out string whyNot)
    {
        entry = null!;
        if (type != TypeTag)
            return Refuse(out whyNot, $"the type tag '{type}' is not '{TypeTag}'.");
        if (ownerKey.Length != 32)
            return Refuse(out whyNot, "the value is not signed: the owner node key is missing.");
        if (!TryDecode(plaintext, out var decoded, out whyNot))
            return false;
        if (decoded.NodeId != NodeId.Hash(ownerKey))
            return Refuse(out whyNot, $"the node id {decoded.NodeId} is not SHA1 of the key that signed the value.");
        if (!decoded.Binding.Verify(ownerKey))
            return Refuse(out whyNot, "the user binding does not verify for the node key that signed the value.");
        if (decoded.OwnerUid != decoded.Binding.Uid)
            return Refuse(out whyNot, $"the owner uid {decoded.OwnerUid} is not the uid {decoded.Binding.Uid} its user binding proves.");
        if (decoded.Seq != valueSeq)
            return Refuse(out whyNot, $"the entry's seq {decoded.Seq} is not the value's seq {valueSeq}.");
        if (decoded.ValueId != valueId)
            return Refuse(out whyNot, $"the value id {valueId:x16} is not the one derived from the entry's name, owner and node.");
        if (decoded.Expiry <= now)
            return Refuse(out whyNot, $"the entry expired at {decoded.Expiry:u}.");
        if (decoded.Expiry > now + NamespaceEntry.MaxLifetime + ClockSkew)
            return Refuse(out whyNot, $"the entry claims to hold until {decoded.Expiry:u}, more than {NamespaceEntry.MaxLifetime} from now.");
        entry = decoded;
        whyNot = "";
        return true;
    }

    /// <summary>Parses the plaintext and checks the fields' own shape; says nothing yet about who signed it.</summary>
    internal static bool TryDecode(ReadOnlySpan<byte> plaintext, out NamespaceEntry entry, out string whyNot)
    {
        entry = null!;
        if (plaintext.Length > MaxEncodedLength)
            return Refuse(out whyNot, $"malformed entry: {plaintext.Length} bytes is more than {MaxEncodedLength}.");
        Wire.Entry wire;
        try
        {
            wire = Wire.Entry.Parser.ParseFrom(plaintext);
        }
        catch (InvalidProtocolBufferException e)
        {
            return Refuse(out whyNot, $"malformed entry: {e.Message}");
        }
        if (wire.Version != Version)
            return Refuse(out whyNot, $"entry version {wire.Version} is not supported (this reader knows {Version}).");
        if (wire.OwnerUid.Length != 20)
            return Refuse(out whyNot, $"malformed entry: the owner uid is {wire.OwnerUid.Length} bytes, not 20.");
        if (wire.NodeId.Length != NodeId.Length)
            return Refuse(out whyNot, $"malformed entry: the node id is {wire.NodeId.Length} bytes, not {NodeId.Length}.");
        if (UserBinding.FromBytes(wire.UserBinding.Span) is not { } binding)
            return Refuse(out whyNot, $"malformed entry: the user binding is {wire.UserBinding.Length} bytes, not {UserBinding.Length}.");
        if (wire.ExpiryUnixMs < 0 || wire.ExpiryUnixMs > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            return Refuse(out whyNot, $"malformed entry: the expiry {wire.ExpiryUnixMs} ms is out of range.");
        var decoded = new NamespaceEntry
        {
            Name = wire.Name,
            OwnerUid = Convert.ToHexStringLower(wire.OwnerUid.Span),
            NodeId = new NodeId(wire.NodeId.Span),
            Addresses = [.. wire.Addresses],
            Kind = (EntryKind)wire.Kind,
            Expiry = DateTimeOffset.FromUnixTimeMilliseconds(wire.ExpiryUnixMs),
            Seq = wire.Seq,
            Binding = binding,
        };
        if (decoded.ShapeProblem() is { } problem)
            return Refuse(out whyNot, $"invalid entry: {problem}");
        entry = decoded;
        whyNot = "";
        return true;
    }

    private static bool Refuse(out string whyNot, string reason)
    {
        whyNot = reason;
        return false;
    }
}
