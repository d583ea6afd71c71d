using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Storage;
using NSec.Cryptography;

namespace Cheshire.Mainline.Engine;

public sealed partial class MainlineNode
{
    /// <summary>
    /// Joins the DHT through the given endpoints (from configuration only; no public router is ever implied):
    /// asks each for nodes near our id, then looks our own id up. Returns the routing table size.
    /// </summary>
    public async Task<int> BootstrapAsync(IEnumerable<IPEndPoint> endPoints, CancellationToken cancellationToken = default)
    {
        var list = endPoints.Select(Compact.Normalize).Where(CanReach).ToList();
        lock (_bootstrapEndPoints)
        {
            _bootstrapEndPoints.Clear();
            _bootstrapEndPoints.AddRange(list);
        }
        // Responders land in the routing table; the self lookup then walks towards our own id.
        await Task.WhenAll(list.Select(endPoint => TryQueryAsync(endPoint, "find_node",
            new BDictionary { ["target"] = new BString(Id.ToArray()), ["want"] = WantList() }, null, cancellationToken)));
        await FindNodeAsync(Id, cancellationToken);
        // Then fill every bucket that is not full yet (Kademlia's join: refresh the buckets farther than our
        // closest neighbour), so that lookups for any target can start from this node's table.
        var sparse = RoutingTable.Buckets.Where(b => b.Nodes.Count < Options.Routing.BucketSize).Select(b => b.Index).ToList();
        await Task.WhenAll(sparse.Select(index => FindNodeAsync(Id.RandomWithPrefix(index), cancellationToken)));
        return RoutingTable.Count;
    }

    /// <summary>Iterative find_node: the k closest nodes to <paramref name="target"/> that answered.</summary>
    public async Task<IReadOnlyList<NodeContact>> FindNodeAsync(NodeId target, CancellationToken cancellationToken = default)
    {
        var lookup = new Lookup(this, target, "find_node", () => new BDictionary { ["target"] = new BString(target.ToArray()), ["want"] = WantList() }, null);
        var responses = await lookup.RunAsync(Seeds(target), cancellationToken);
        return [.. responses.Select(r => r.Node)];
    }

    /// <summary>Iterative get_peers: every peer the lookup saw for <paramref name="infohash"/>.</summary>
    public async Task<IReadOnlyList<IPEndPoint>> GetPeersAsync(NodeId infohash, CancellationToken cancellationToken = default)
    {
        var (peers, _) = await GetPeersLookupAsync(infohash, cancellationToken);
        return peers;
    }

    /// <summary>get_peers lookup, then announce_peer with each closest node's token (BEP 5).</summary>
    public async Task<AnnounceResult> AnnounceAsync(NodeId infohash, int port, bool impliedPort = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, impliedPort ? 0 : 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var (peers, closest) = await GetPeersLookupAsync(infohash, cancellationToken);
        var results = await Task.WhenAll(closest.Where(r => r.Body.Get<BString>("token") is not null).Select(async r =>
        {
            var args = new BDictionary
            {
                ["info_hash"] = new BString(infohash.ToArray()),
                ["port"] = new BInteger(port == 0 ? LocalEndPoint.Port : port),
                ["token"] = r.Body["token"],
            };
            if (impliedPort)
                args["implied_port"] = new BInteger(1);
            return await TryQueryAsync(r.Node.EndPoint, "announce_peer", args, r.Node.Id, cancellationToken) is not null;
        }));
        return new AnnounceResult(infohash, peers, results.Count(ok => ok));
    }

    /// <summary>BEP 44: stores an immutable value at SHA1(bencoded value) on the closest nodes.</summary>
    public async Task<PutResult> PutImmutableAsync(BValue value, CancellationToken cancellationToken = default)
    {
        var encoded = value.Encode();
        if (encoded.Length > Bep44.MaxValueLength)
            throw new ArgumentException($"a BEP 44 value is at most {Bep44.MaxValueLength} bytes bencoded", nameof(value));
        var target = Bep44.ImmutableTarget(encoded);
        return await PutAsync(target, () => new BDictionary { ["v"] = new BRaw(encoded) }, cancellationToken);
    }

    /// <summary>BEP 44: signs and stores a mutable value at SHA1(public key + salt) on the closest nodes.</summary>
    public async Task<PutResult> PutMutableAsync(Key key, ReadOnlyMemory<byte> salt, long seq, BValue value, long? cas = null, CancellationToken cancellationToken = default)
    {
        var encoded = value.Encode();
        if (encoded.Length > Bep44.MaxValueLength)
            throw new ArgumentException($"a BEP 44 value is at most {Bep44.MaxValueLength} bytes bencoded", nameof(value));
        if (salt.Length > Bep44.MaxSaltLength)
            throw new ArgumentException($"a BEP 44 salt is at most {Bep44.MaxSaltLength} bytes", nameof(salt));
        var publicKey = Bep44.PublicKeyOf(key);
        var signature = Bep44.Sign(key, salt.Span, seq, encoded);
        var target = Bep44.MutableTarget(publicKey, salt.Span);
        return await PutAsync(target, () =>
        {
            var args = new BDictionary
            {
                ["k"] = new BString(publicKey),
                ["seq"] = new BInteger(seq),
                ["sig"] = new BString(signature),
                ["v"] = new BRaw(encoded),
            };
            if (!salt.IsEmpty)
                args["salt"] = new BString(salt);
            if (cas is { } expected)
                args["cas"] = new BInteger(expected);
            return args;
        }, cancellationToken);
    }

    /// <summary>BEP 44 get of an immutable item; only a value whose SHA1 is the target is accepted.</summary>
    public async Task<DhtItem?> GetImmutableAsync(NodeId target, CancellationToken cancellationToken = default)
    {
        if (Items.Get(target) is { IsMutable: false } local)
            return local; // someone stored it on this node
        DhtItem? found = null;
        await GetLookupAsync(target, null, response =>
        {
            if (response.Body.TryGetValue("v", out var v) && Bep44.ImmutableTarget(v.Raw.Span) == target)
                found ??= new DhtItem(target, v.Raw.ToArray(), null, [], 0, null);
        }, cancellationToken);
        return found;
    }

    /// <summary>BEP 44 get of a mutable item: the highest-seq value with a valid signature by <paramref name="publicKey"/>.</summary>
    public async Task<DhtItem?> GetMutableAsync(ReadOnlyMemory<byte> publicKey, ReadOnlyMemory<byte> salt = default, long? minimumSeq = null, CancellationToken cancellationToken = default)
    {
        var target = Bep44.MutableTarget(publicKey.Span, salt.Span);
        var best = Items.Get(target) is { IsMutable: true } local && local.PublicKey.AsSpan().SequenceEqual(publicKey.Span)
            && (minimumSeq is null || local.Sequence > minimumSeq) ? local : null;
        await GetLookupAsync(target, minimumSeq, response =>
        {
            var body = response.Body;
            if (!body.TryGetValue("v", out var v) || body.Get<BString>("k") is not { } k || !k.Span.SequenceEqual(publicKey.Span)
                || body.Get<BString>("sig") is not { } sig || body.Get<BInteger>("seq") is not { } seq)
                return;
            if (best is not null && best.Sequence >= seq.Value)
                return;
            if (Bep44.Verify(k.Span, salt.Span, seq.Value, v.Raw.Span, sig.Span))
                best = new DhtItem(target, v.Raw.ToArray(), k.Span.ToArray(), salt.ToArray(), seq.Value, sig.Span.ToArray());
        }, cancellationToken);
        return best;
    }

    /// <summary>BEP 51: asks one node for a sample of its infohashes.</summary>
    public async Task<SampleResult> SampleInfohashesAsync(IPEndPoint node, NodeId? target = null, CancellationToken cancellationToken = default)
    {
        var args = new BDictionary { ["target"] = new BString((target ?? NodeId.Random()).ToArray()), ["want"] = WantList() };
        var response = await QueryAsync(node, "sample_infohashes", args, null, cancellationToken);
        var body = response.Body;
        var samples = body.Get<BString>("samples")?.Value ?? ReadOnlyMemory<byte>.Empty;
        var ids = new List<NodeId>();
        for (var offset = 0; offset + NodeId.Length <= samples.Length; offset += NodeId.Length)
            ids.Add(new NodeId(samples.Span.Slice(offset, NodeId.Length)));
        var nodes = new List<NodeContact>();
        if (body.Get<BString>("nodes") is { } v4)
            nodes.AddRange(Compact.DecodeNodes(v4.Span, AddressFamily.InterNetwork));
        if (body.Get<BString>("nodes6") is { } v6)
            nodes.AddRange(Compact.DecodeNodes(v6.Span, AddressFamily.InterNetworkV6));
        return new SampleResult(response.Node, (int)(body.Get<BInteger>("interval")?.Value ?? 0),
            (int)Math.Clamp(body.Get<BInteger>("num")?.Value ?? 0, 0, int.MaxValue), ids, nodes);
    }

    private async Task<(List<IPEndPoint> Peers, List<QueryResponse> Closest)> GetPeersLookupAsync(NodeId infohash, CancellationToken cancellationToken)
    {
        // Peers announced to this node count too: the lookup's closest nodes may include us.
        var peers = new HashSet<IPEndPoint>(Peers.Get(infohash, AddressFamily.InterNetwork).Concat(Peers.Get(infohash, AddressFamily.InterNetworkV6)));
        var lookup = new Lookup(this, infohash, "get_peers",
            () => new BDictionary { ["info_hash"] = new BString(infohash.ToArray()), ["want"] = WantList() },
            response =>
            {
                if (response.Body.Get<BList>("values") is not { } values)
                    return;
                foreach (var value in values.OfType<BString>())
                    if (Compact.TryDecodeEndPoint(value.Span, out var peer) && peer.Port != 0)
                        peers.Add(peer);
            });
        var closest = await lookup.RunAsync(Seeds(infohash), cancellationToken);
        return ([.. peers], closest);
    }

    private Task<List<QueryResponse>> GetLookupAsync(NodeId target, long? seq, Action<QueryResponse>? onResponse, CancellationToken cancellationToken)
    {
        var lookup = new Lookup(this, target, "get", () =>
        {
            var args = new BDictionary { ["target"] = new BString(target.ToArray()), ["want"] = WantList() };
            if (seq is { } known)
                args["seq"] = new BInteger(known);
            return args;
        }, onResponse);
        return lookup.RunAsync(Seeds(target), cancellationToken);
    }

    private async Task<PutResult> PutAsync(NodeId target, Func<BDictionary> arguments, CancellationToken cancellationToken)
    {
        var closest = await GetLookupAsync(target, null, null, cancellationToken);
        var errors = new ConcurrentBag<KrpcException>();
        var stored = await Task.WhenAll(closest.Where(r => r.Body.Get<BString>("token") is not null).Select(async r =>
        {
            var args = arguments();
            args["token"] = r.Body["token"];
            try
            {
                await QueryAsync(r.Node.EndPoint, "put", args, r.Node.Id, cancellationToken);
                return true;
            }
            catch (KrpcException e)
            {
                errors.Add(e);
                return false;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }));
        return new PutResult(target, stored.Count(ok => ok), [.. errors]);
    }

    private async Task<QueryResponse?> TryQueryAsync(IPEndPoint endPoint, string method, BDictionary args, NodeId? expectedId, CancellationToken cancellationToken)
    {
        try
        {
            return await QueryAsync(endPoint, method, args, expectedId, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or KrpcException)
        {
            return null;
        }
    }

    private List<NodeContact> Seeds(NodeId target) => RoutingTable.Closest(target, Options.Routing.BucketSize * 2);
}
