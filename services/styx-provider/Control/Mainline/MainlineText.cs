using System.Globalization;
using System.Text;
using Cheshire.Protos.Mainline;

namespace Cheshire.StyxProvider.Control.Mainline;

/// <summary>The text of the /mainline files (formats in Control/README.md).</summary>
public static class MainlineText
{
    public static string Stats(StatsReply s)
    {
        var pairs = new List<(string, object)>
        {
            ("id", ControlText.Hex(s.NodeId.Span)), ("endpoint", ControlText.Field(s.Endpoint)),
            ("external_address", ControlText.Field(s.ExternalAddress)),
            ("routing_table_nodes", s.RoutingTableNodes), ("buckets", s.Buckets),
            ("infohashes", s.Infohashes), ("peers", s.Peers), ("items", s.Items),
            ("responses_received", s.ResponsesReceived), ("errors_received", s.ErrorsReceived), ("errors_sent", s.ErrorsSent),
            ("timeouts", s.Timeouts), ("malformed_received", s.MalformedReceived), ("rate_limited", s.RateLimited),
            ("internal_errors", s.InternalErrors),
        };
        pairs.AddRange(s.QueriesReceived.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => ($"queries_received.{q.Key}", (object)q.Value)));
        pairs.AddRange(s.QueriesSent.OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => ($"queries_sent.{q.Key}", (object)q.Value)));
        return ControlText.Pairs(pairs);
    }

    /// <summary>One line per node: id endpoint state verified|unverified bucket failed-queries.</summary>
    public static string Routing(RoutingTableReply table)
    {
        var text = new StringBuilder();
        foreach (var node in table.Nodes)
            text.Append(CultureInfo.InvariantCulture,
                $"{ControlText.Hex(node.Id.Span)} {node.Endpoint} {node.State} {(node.Verified ? "verified" : "unverified")} {node.Bucket} {node.FailedQueries}\n");
        return text.ToString();
    }

    public static string Peers(IEnumerable<string> peers) => string.Concat(peers.Select(p => p + "\n"));

    public static string Announce(AnnounceReply reply) =>
        $"nodes {reply.NodesAnnounced} peers {(reply.Peers.Count == 0 ? "-" : string.Join(',', reply.Peers))}\n";

    public static string Put(PutItemReply reply, bool mutable)
    {
        var text = $"target {ControlText.Hex(reply.Target.Span)} stored {reply.Stored}";
        if (mutable) text += $" key {ControlText.Hex(reply.PublicKey.Span)} seq {reply.Seq}";
        return text + $" errors {(reply.Errors.Count == 0 ? "-" : ControlText.Field(string.Join("; ", reply.Errors)))}\n";
    }

    /// <summary>"name value" lines; the value bencoded (escaped), and as "string" when it is a bencoded byte string.</summary>
    public static string Item(GetItemReply item)
    {
        var pairs = new List<(string, object)>
        {
            ("target", ControlText.Hex(item.Target.Span)),
            ("key", ControlText.Hex(item.PublicKey.Span)),
            ("salt", ControlText.Escape(item.Salt.Span, field: true)),
            ("seq", item.Seq),
            ("value", ControlText.Escape(item.Value.Span)),
        };
        if (Bencode.StringOf(item.Value.Span) is { } text) pairs.Add(("string", ControlText.Escape(text)));
        return ControlText.Pairs(pairs);
    }
}
