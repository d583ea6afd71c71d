using System.Text;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Values;
using Cheshire.Protos.Dht;
using ValueKind = Cheshire.Protos.Dht.ValueKind;
using Google.Protobuf;

namespace Cheshire.Dht.Api;

/// <summary>Checks requests and turns them into engine values; every refusal is an INVALID_ARGUMENT naming the field.</summary>
public static class DhtRequests
{
    /// <summary>Sealed-box overhead of an encrypted value: ephemeral public key and tag.</summary>
    public const int EncryptionOverhead = 32 + 16;

    public static NodeId ParseKey(Key? key)
    {
        if (key is null || key.KindCase == Key.KindOneofCase.None)
            throw DhtErrors.Invalid("key is required: set key.id (20 bytes) or key.name (hashed with SHA-1)");
        if (key.KindCase == Key.KindOneofCase.Name)
        {
            if (key.Name.Length == 0) throw DhtErrors.Invalid("key.name must not be empty");
            return NodeId.Hash(key.Name);
        }
        if (key.Id.Length != NodeId.Length)
            throw DhtErrors.Invalid($"key.id must be {NodeId.Length} bytes (160 bits), not {key.Id.Length}");
        return new NodeId(key.Id.Span);
    }

    public static EncryptionKeyPair? DecryptionKey(ByteString key)
    {
        if (key.IsEmpty) return null;
        if (key.Length != 32) throw DhtErrors.Invalid($"decryption_key must be a 32-byte X25519 private key, not {key.Length} bytes");
        return EncryptionKeyPair.FromPrivateKey(key.Span);
    }

    /// <summary>The value to put, with a random id and a time-based seq where the request leaves them 0.</summary>
    public static DhtValue BuildValue(NodeId key, PutRequest request, NodeIdentity signer, KademliaOptions options, TimeProvider time)
    {
        if (request.Data.IsEmpty) throw DhtErrors.Invalid("data must not be empty");
        var ttl = Ttl(request, options);
        if (Encoding.UTF8.GetByteCount(request.Type) > DhtValue.MaxTypeLength)
            throw DhtErrors.Invalid($"type must be at most {DhtValue.MaxTypeLength} bytes of UTF-8");
        var id = request.ValueId != 0 ? request.ValueId : (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        var seq = request.Seq != 0 ? request.Seq : (ulong)time.GetUtcNow().ToUnixTimeMilliseconds();
        switch (request.Kind)
        {
            case ValueKind.Plain:
                CheckSize(request.Data.Length, options.MaxValueSize);
                NoRecipient(request);
                if (request.Seq != 0) throw DhtErrors.Invalid("seq applies to SIGNED and ENCRYPTED values only; leave it 0 for PLAIN");
                return DhtValue.Plain(id, request.Data.Span, ttl, request.Type);
            case ValueKind.Signed:
                CheckSize(request.Data.Length, options.MaxValueSize);
                NoRecipient(request);
                return DhtValue.Signed(key, id, seq, request.Data.Span, signer, ttl, request.Type);
            case ValueKind.Encrypted:
                CheckSize(request.Data.Length, options.MaxValueSize - EncryptionOverhead);
                if (request.RecipientKey.Length != 32)
                    throw DhtErrors.Invalid($"recipient_key must be the recipient's 32-byte X25519 public key, not {request.RecipientKey.Length} bytes");
                try
                {
                    return DhtValue.Encrypted(key, id, request.Data.Span, request.RecipientKey.Span, signer, seq, ttl, request.Type);
                }
                catch (ArgumentException e)
                {
                    throw DhtErrors.Invalid($"recipient_key: {e.Message}");
                }
            default:
                throw DhtErrors.Invalid($"kind {(int)request.Kind} is not PLAIN (0), SIGNED (1) or ENCRYPTED (2)");
        }
    }

    private static TimeSpan? Ttl(PutRequest request, KademliaOptions options)
    {
        if (request.Ttl is null) return null;
        var ttl = request.Ttl.ToTimeSpan();
        if (ttl == TimeSpan.Zero) return null;
        if (ttl < TimeSpan.Zero) throw DhtErrors.Invalid("ttl must not be negative");
        if (ttl > options.MaxValueTtl) throw DhtErrors.Invalid($"ttl {ttl} is longer than the longest this node accepts, {options.MaxValueTtl}");
        return ttl;
    }

    private static void CheckSize(int length, int limit)
    {
        if (length > limit) throw DhtErrors.Invalid($"data is {length} bytes; the limit for this kind of value is {limit} bytes");
    }

    private static void NoRecipient(PutRequest request)
    {
        if (!request.RecipientKey.IsEmpty) throw DhtErrors.Invalid("recipient_key applies to ENCRYPTED values only");
    }
}
