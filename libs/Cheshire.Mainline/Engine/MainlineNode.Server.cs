using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Storage;

namespace Cheshire.Mainline.Engine;

public sealed partial class MainlineNode
{
    private async Task HandleQueryAsync(KrpcMessage query, IPEndPoint source)
    {
        if (Options.ReadOnly)
            return; // BEP 43: read-only nodes do not answer
        var method = query.Method!;
        StatCounters.Count(_stats.QueriesReceived, method);
        switch (_rateLimiter.Check(source.Address))
        {
            case RateDecision.Reject:
                Interlocked.Increment(ref _stats.RateLimited);
                await SendErrorAsync(query.TransactionId, KrpcErrorCode.Server, "rate limit exceeded", source);
                return;
            case RateDecision.Drop:
                Interlocked.Increment(ref _stats.RateLimited);
                return;
        }
        BDictionary response;
        NodeId sender;
        try
        {
            var args = query.Arguments!;
            if (args.Get<BString>("id") is not { Length: NodeId.Length } idBytes)
                throw new KrpcException(KrpcErrorCode.Protocol, "missing or invalid 'id'");
            response = method switch
            {
                "ping" => Reply(),
                "find_node" => FindNode(args, source),
                "get_peers" => GetPeers(args, source),
                "announce_peer" => AnnouncePeer(args, source),
                "get" => GetItem(args, source),
                "put" => PutItem(args, source),
                "sample_infohashes" => SampleInfohashes(args, source),
                _ => throw new KrpcException(KrpcErrorCode.MethodUnknown, "method unknown"),
            };
            sender = new NodeId(idBytes.Span);
        }
        catch (KrpcException e)
        {
            await SendErrorAsync(query.TransactionId, e.Code, e.ErrorMessage, source);
            return;
        }
        try
        {
            await SendAsync(KrpcMessage.Reply(query.TransactionId, response, source), source);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!query.ReadOnly)
            OnQueriedBy(sender, source); // BEP 43: read-only nodes stay out of routing tables
    }

    /// <summary>A non read-only node queried us: note it, and confirm a newly added node with a ping.</summary>
    private void OnQueriedBy(NodeId id, IPEndPoint source)
    {
        var result = RoutingTable.Heard(id, source, responded: false, SecureNodeId.IsVerified(id, source.Address));
        if (result == AddResult.Added && !_stop.IsCancellationRequested)
            _ = PingAsync(source, CancellationToken.None);
    }

    private BDictionary Reply() => new() { ["id"] = new BString(Id.ToArray()) };

    private BDictionary FindNode(BDictionary args, IPEndPoint source)
    {
        var target = RequireId(args, "target");
        var r = Reply();
        AddNodes(r, target, args, source);
        return r;
    }

    private BDictionary GetPeers(BDictionary args, IPEndPoint source)
    {
        var infohash = RequireId(args, "info_hash");
        var r = Reply();
        r["token"] = new BString(_tokens.Generate(source.Address));
        var peers = Peers.Get(infohash, source.AddressFamily);
        if (peers.Count > 0)
            r["values"] = new BList(peers.Select(p => (BValue)new BString(Compact.EncodeEndPoint(p))));
        AddNodes(r, infohash, args, source);
        return r;
    }

    private BDictionary AnnouncePeer(BDictionary args, IPEndPoint source)
    {
        var infohash = RequireId(args, "info_hash");
        RequireToken(args, source);
        var implied = args.Get<BInteger>("implied_port") is { Value: not 0 };
        var port = implied ? source.Port : args.Get<BInteger>("port")?.Value ?? 0;
        if (port is < 1 or > 65535)
            throw new KrpcException(KrpcErrorCode.Protocol, "invalid 'port'");
        Peers.Add(infohash, new IPEndPoint(source.Address, (int)port));
        return Reply();
    }

    private BDictionary GetItem(BDictionary args, IPEndPoint source)
    {
        var target = RequireId(args, "target");
        var r = Reply();
        r["token"] = new BString(_tokens.Generate(source.Address));
        AddNodes(r, target, args, source);
        if (Items.Get(target) is not { } item)
            return r;
        if (item.IsMutable)
        {
            r["seq"] = new BInteger(item.Sequence);
            if (args.Get<BInteger>("seq") is { } known && item.Sequence <= known.Value)
                return r; // the requester already has this version
            r["k"] = new BString(item.PublicKey!);
            r["sig"] = new BString(item.Signature!);
        }
        r["v"] = new BRaw(item.Value);
        return r;
    }

    private BDictionary PutItem(BDictionary args, IPEndPoint source)
    {
        RequireToken(args, source);
        if (!args.TryGetValue("v", out var v))
            throw new KrpcException(KrpcErrorCode.Protocol, "missing 'v'");
        if (v.Raw.Length > Bep44.MaxValueLength)
            throw new KrpcException(KrpcErrorCode.MessageTooBig, "message (v field) too big");
        var value = v.Raw.ToArray();
        if (args.Get<BString>("k") is not { } k)
        {
            Items.Put(new DhtItem(Bep44.ImmutableTarget(value), value, null, [], 0, null), null);
            return Reply();
        }
        var salt = args.Get<BString>("salt")?.Value.ToArray() ?? [];
        if (salt.Length > Bep44.MaxSaltLength)
            throw new KrpcException(KrpcErrorCode.SaltTooBig, "salt (salt field) too big");
        if (k.Length != Bep44.PublicKeyLength || args.Get<BString>("sig") is not { Length: Bep44.SignatureLength } sig
            || args.Get<BInteger>("seq") is not { } seq)
            throw new KrpcException(KrpcErrorCode.Protocol, "mutable put needs 'k' (32 bytes), 'sig' (64 bytes) and 'seq'");
        if (!Bep44.Verify(k.Span, salt, seq.Value, value, sig.Span))
            throw new KrpcException(KrpcErrorCode.InvalidSignature, "invalid signature");
        var target = Bep44.MutableTarget(k.Span, salt);
        Items.Put(new DhtItem(target, value, k.Span.ToArray(), salt, seq.Value, sig.Span.ToArray()), args.Get<BInteger>("cas")?.Value);
        return Reply();
    }

    private BDictionary SampleInfohashes(BDictionary args, IPEndPoint source)
    {
        var target = RequireId(args, "target");
        var r = Reply();
        var samples = Peers.Sample(Options.MaxSamples);
        var bytes = new byte[samples.Count * NodeId.Length];
        for (var i = 0; i < samples.Count; i++)
            samples[i].Span.CopyTo(bytes.AsSpan(i * NodeId.Length));
        r["interval"] = new BInteger(Options.SampleInterval);
        r["num"] = new BInteger(Peers.InfohashCount);
        r["samples"] = new BString(bytes);
        AddNodes(r, target, args, source);
        return r;
    }

    /// <summary>BEP 5 / 32: <c>nodes</c> and/or <c>nodes6</c> per <c>want</c>, defaulting to the requester's family.</summary>
    private void AddNodes(BDictionary r, NodeId target, BDictionary args, IPEndPoint source)
    {
        var want = args.Get<BList>("want");
        var families = want is null
            ? [source.AddressFamily]
            : want.OfType<BString>().Select(w => w.Text).Select(w => w switch
            {
                "n4" => AddressFamily.InterNetwork,
                "n6" => AddressFamily.InterNetworkV6,
                _ => AddressFamily.Unknown,
            }).Where(f => f != AddressFamily.Unknown).Distinct().ToArray();
        foreach (var family in families)
        {
            var closest = RoutingTable.Closest(target, Options.Routing.BucketSize, family, confirmedOnly: true);
            r[family == AddressFamily.InterNetwork ? "nodes" : "nodes6"] = new BString(Compact.EncodeNodes(closest, family));
        }
    }

    private static NodeId RequireId(BDictionary args, string key) =>
        args.Get<BString>(key) is { Length: NodeId.Length } bytes
            ? new NodeId(bytes.Span)
            : throw new KrpcException(KrpcErrorCode.Protocol, $"missing or invalid '{key}'");

    private void RequireToken(BDictionary args, IPEndPoint source)
    {
        if (args.Get<BString>("token") is not { } token || !_tokens.Validate(token.Span, source.Address))
            throw new KrpcException(KrpcErrorCode.Protocol, "invalid token");
    }
}
