using System.Security.Cryptography;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Values;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Proto = Cheshire.Protos.Dht;

namespace Cheshire.Dht.Api;

/// <summary>Engine types to their gRPC messages.</summary>
public static class DhtMapping
{
    public static Proto.Value ToProto(DhtValue value, NodeId key, EncryptionKeyPair? decryptionKey)
    {
        var message = new Proto.Value
        {
            Id = value.Id,
            Kind = value.Kind switch
            {
                ValueKind.Signed => Proto.ValueKind.Signed,
                ValueKind.Encrypted => Proto.ValueKind.Encrypted,
                _ => Proto.ValueKind.Plain,
            },
            Seq = value.Seq,
            Type = value.Type,
            Ttl = value.Ttl is { } ttl ? Duration.FromTimeSpan(ttl) : null,
        };
        if (value.Owner is { } owner)
        {
            message.Owner = ByteString.CopyFrom(owner);
            message.OwnerId = Convert.ToHexStringLower(SHA1.HashData(owner));
        }
        if (value.Recipient is { } recipient) message.Recipient = ByteString.CopyFrom(recipient);
        if (decryptionKey is not null && value.TryDecrypt(key, decryptionKey, out var plaintext))
        {
            message.Data = ByteString.CopyFrom(plaintext);
            message.Decrypted = true;
        }
        else
        {
            message.Data = ByteString.CopyFrom(value.Data.Span);
        }
        return message;
    }

    public static Proto.Stats ToProto(NodeStats s) => new()
    {
        DatagramsIn = s.DatagramsIn,
        DatagramsOut = s.DatagramsOut,
        BytesIn = s.BytesIn,
        BytesOut = s.BytesOut,
        Malformed = s.Malformed,
        RateLimited = s.RateLimited,
        RequestsHandled = s.RequestsHandled,
        Timeouts = s.Timeouts,
        Retries = s.Retries,
        Lookups = s.Lookups,
        NotificationsSent = s.NotificationsSent,
        StoredValues = s.StoredValues,
        StoredKeys = s.StoredKeys,
        StoreBytes = s.StoreBytes,
        Listeners = s.Listeners,
        ActiveListens = s.ActiveListens,
    };

    public static Proto.Bucket ToProto(BucketSnapshot bucket)
    {
        var message = new Proto.Bucket
        {
            PrefixLength = bucket.PrefixLength,
            HoldsSelf = bucket.HoldsSelf,
            LastChanged = Timestamp.FromDateTimeOffset(bucket.LastChanged),
        };
        message.Contacts.AddRange(bucket.Contacts.Select(c => new Proto.Contact
        {
            Id = c.Contact.Id.ToString(),
            Endpoint = c.Contact.EndPoint.ToString(),
            LastSeen = Timestamp.FromDateTimeOffset(c.LastSeen),
            Failures = c.Failures,
        }));
        message.Replacements.AddRange(bucket.Replacements.Select(c => new Proto.Contact
        {
            Id = c.Id.ToString(),
            Endpoint = c.EndPoint.ToString(),
        }));
        return message;
    }
}
