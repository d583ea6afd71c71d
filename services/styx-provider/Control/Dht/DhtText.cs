using System.Net;
using Cheshire.Protos.Dht;

namespace Cheshire.StyxProvider.Control.Dht;

/// <summary>The text of the /dht files (formats in Control/README.md).</summary>
public static class DhtText
{
    public static string Node(NodeInfoReply info)
    {
        var endpoint = IPEndPoint.TryParse(info.Endpoint, out var parsed) ? parsed : null;
        return ControlText.Pairs([
            ("id", info.Id),
            ("address", endpoint?.Address.ToString() ?? "-"),
            ("port", endpoint?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"),
            ("endpoint", info.Endpoint),
            ("signingkey", ControlText.Field(info.SigningKey)),
            ("contacts", info.RoutingTableSize),
            ("buckets", info.Buckets),
        ]);
    }

    public static string Stats(NodeInfoReply info)
    {
        var s = info.Stats ?? new Stats();
        return ControlText.Pairs([
            ("datagrams_in", s.DatagramsIn), ("datagrams_out", s.DatagramsOut),
            ("bytes_in", s.BytesIn), ("bytes_out", s.BytesOut),
            ("malformed", s.Malformed), ("rate_limited", s.RateLimited),
            ("requests_handled", s.RequestsHandled), ("timeouts", s.Timeouts), ("retries", s.Retries),
            ("lookups", s.Lookups), ("notifications_sent", s.NotificationsSent),
            ("stored_values", s.StoredValues), ("stored_keys", s.StoredKeys), ("store_bytes", s.StoreBytes),
            ("listeners", s.Listeners), ("active_listens", s.ActiveListens),
            ("contacts", info.RoutingTableSize), ("buckets", info.Buckets),
        ]);
    }

    /// <summary>One line per contact: id endpoint last-seen failures bucket-prefix-length.</summary>
    public static string Routing(RoutingTableReply table)
    {
        var text = new System.Text.StringBuilder();
        foreach (var bucket in table.Buckets)
            foreach (var contact in bucket.Contacts)
                text.Append(contact.Id).Append(' ').Append(contact.Endpoint).Append(' ')
                    .Append(contact.LastSeen is { } seen ? seen.ToDateTimeOffset().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : "-")
                    .Append(' ').Append(contact.Failures).Append(' ').Append(bucket.PrefixLength).Append('\n');
        return text.ToString();
    }

    /// <summary>id kind seq owner ttl type data — data last, the rest of the line.</summary>
    public static string Value(Value value)
    {
        var kind = value.Kind switch
        {
            ValueKind.Signed => "signed",
            ValueKind.Encrypted => value.Decrypted ? "decrypted" : "encrypted",
            _ => "plain",
        };
        var ttl = value.Ttl is { } t ? ((long)t.ToTimeSpan().TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
        return $"{value.Id:x16} {kind} {value.Seq} {ControlText.Field(value.OwnerId)} {ttl} {ControlText.Field(value.Type)} {ControlText.Escape(value.Data.Span)}\n";
    }

    public static string Put(PutReply reply)
    {
        var errors = reply.Errors.Count == 0 ? "-" : string.Join(',', reply.Errors.OrderBy(e => e.Key).Select(e => $"{e.Key}={e.Value}"));
        return $"key {DhtKeys.IdPrefix}{ControlText.Hex(reply.Key.Span)} id {reply.ValueId:x16} seq {reply.Seq} stored {reply.Stored} asked {reply.Asked} errors {errors}\n";
    }

    public static string Bootstrap(BootstrapReply reply) => $"answered {reply.Answered} contacts {reply.RoutingTableSize}\n";
}
