using System.Net;
using Cheshire.Mainline;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Storage;
using Cheshire.MainlineDht.Node;
using Cheshire.Protos;
using Cheshire.Protos.Mainline;
using Cheshire.ServiceDefaults;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.MainlineDht;

public sealed class MainlineApi(ModuleInfoProvider info, MainlineHost host, Bep44Signer signer)
    : global::Cheshire.Protos.Mainline.Mainline.MainlineBase
{
    private MainlineNode Node => host.Node;

    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);

    public override async Task<GetPeersReply> GetPeers(GetPeersRequest request, ServerCallContext context)
    {
        var infohash = Id(request.Infohash, "infohash");
        var peers = await Node.GetPeersAsync(infohash, context.CancellationToken);
        return new GetPeersReply { Peers = { peers.Select(p => p.ToString()) } };
    }

    public override async Task<AnnounceReply> Announce(AnnounceRequest request, ServerCallContext context)
    {
        var infohash = Id(request.Infohash, "infohash");
        if (!request.ImpliedPort && request.Port is < 1 or > 65535)
            throw Invalid($"port {request.Port} is not 1..65535 (or set implied_port)");
        if (Node.Options.ReadOnly)
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "the node is read-only (Mainline:ReadOnly, BEP 43): it does not announce"));
        var result = await Node.AnnounceAsync(infohash, request.ImpliedPort ? 0 : (int)request.Port, request.ImpliedPort, context.CancellationToken);
        return new AnnounceReply { Peers = { result.Peers.Select(p => p.ToString()) }, NodesAnnounced = result.NodesAnnounced };
    }

    public override async Task<PutItemReply> PutItem(PutItemRequest request, ServerCallContext context)
    {
        if (request.Value.IsEmpty)
            throw Invalid("value is empty: give a bencoded value such as 5:hello");
        if (request.Value.Length > Bep44.MaxValueLength)
            throw Invalid($"value is {request.Value.Length} bytes bencoded; BEP 44 allows at most {Bep44.MaxValueLength}");
        BValue value;
        try
        {
            value = BencodeReader.Decode(request.Value.ToByteArray(), BencodeOptions.Strict);
        }
        catch (BencodeException e)
        {
            throw Invalid($"value is not valid bencode: {e.Message}");
        }
        var ct = context.CancellationToken;
        if (!request.Mutable)
        {
            if (request.HasSeq || request.HasCas || !request.Salt.IsEmpty)
                throw Invalid("seq, cas and salt apply to mutable items only; this is an immutable put (set mutable = true)");
            var put = await Node.PutImmutableAsync(value, ct);
            // This node stores what it publishes too, so it answers get for its own items.
            Node.Items.Put(new DhtItem(put.Target, request.Value.ToByteArray(), null, [], 0, null), null);
            return Reply(put, [], 0);
        }
        var salt = Salt(request.Salt);
        long seq;
        if (request.HasSeq)
        {
            if (request.Seq < 0)
                throw Invalid($"seq {request.Seq} is negative");
            seq = request.Seq;
        }
        else
        {
            var current = await Node.GetMutableAsync(signer.PublicKey, salt, null, ct);
            seq = current is null ? 1 : current.Sequence + 1;
        }
        var mutablePut = await Node.PutMutableAsync(signer.Key, salt, seq, value, request.HasCas ? request.Cas : null, ct);
        var encoded = request.Value.ToByteArray();
        var signature = Bep44.Sign(signer.Key, salt, seq, encoded);
        var reply = Reply(mutablePut, signer.PublicKey, seq);
        try
        {
            Node.Items.Put(new DhtItem(mutablePut.Target, encoded, signer.PublicKey, salt, seq, signature), request.HasCas ? request.Cas : null);
        }
        catch (KrpcException e)
        {
            // This node's own copy is newer, or its cas does not match: reported like a remote node's refusal.
            reply.Errors.Add($"{e.Code}: {e.ErrorMessage} (this node)");
        }
        return reply;
    }

    public override async Task<GetItemReply> GetItem(GetItemRequest request, ServerCallContext context)
    {
        var ct = context.CancellationToken;
        DhtItem? item;
        if (!request.Target.IsEmpty)
        {
            if (!request.PublicKey.IsEmpty || !request.Salt.IsEmpty)
                throw Invalid("give either target (immutable) or public_key + salt (mutable), not both");
            item = await Node.GetImmutableAsync(Id(request.Target, "target"), ct);
        }
        else
        {
            if (request.PublicKey.Length != Bep44.PublicKeyLength)
                throw Invalid($"public_key is {request.PublicKey.Length} bytes; an ed25519 public key is {Bep44.PublicKeyLength} (or give a 20-byte target)");
            item = await Node.GetMutableAsync(request.PublicKey.ToByteArray(), Salt(request.Salt), request.HasMinSeq ? request.MinSeq : null, ct);
        }
        if (item is null)
            return new GetItemReply { Found = false };
        return new GetItemReply
        {
            Found = true,
            Target = ByteString.CopyFrom(item.Target.Span),
            Value = ByteString.CopyFrom(item.Value.Span),
            PublicKey = item.PublicKey is null ? ByteString.Empty : ByteString.CopyFrom(item.PublicKey),
            Salt = ByteString.CopyFrom(item.Salt),
            Seq = item.Sequence,
            Signature = item.Signature is null ? ByteString.Empty : ByteString.CopyFrom(item.Signature),
        };
    }

    public override async Task<SampleInfohashesReply> SampleInfohashes(SampleInfohashesRequest request, ServerCallContext context)
    {
        if (!IPEndPoint.TryParse(request.Endpoint, out var endpoint) || endpoint.Port == 0)
            throw Invalid($"endpoint '{request.Endpoint}' is not address:port such as 127.0.0.1:6881 or [::1]:6881");
        NodeId? target = request.Target.IsEmpty ? null : Id(request.Target, "target");
        SampleResult result;
        try
        {
            result = await Node.SampleInfohashesAsync(endpoint, target, context.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"{endpoint} did not answer sample_infohashes"));
        }
        catch (KrpcException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"{endpoint} answered KRPC error {e.Code}: {e.ErrorMessage}"));
        }
        return new SampleInfohashesReply
        {
            NodeId = ByteString.CopyFrom(result.Node.Id.Span),
            Interval = result.Interval,
            Num = result.Count,
            Samples = { result.Samples.Select(s => ByteString.CopyFrom(s.Span)) },
            Nodes = { result.Nodes.Select(n => new NodeEntry { Id = ByteString.CopyFrom(n.Id.Span), Endpoint = n.EndPoint.ToString() }) },
        };
    }

    public override Task<StatsReply> Stats(StatsRequest request, ServerCallContext context)
    {
        var stats = Node.Stats;
        return Task.FromResult(new StatsReply
        {
            QueriesReceived = { stats.QueriesReceived.ToDictionary() },
            QueriesSent = { stats.QueriesSent.ToDictionary() },
            ResponsesReceived = stats.ResponsesReceived,
            ErrorsReceived = stats.ErrorsReceived,
            ErrorsSent = stats.ErrorsSent,
            Timeouts = stats.Timeouts,
            MalformedReceived = stats.MalformedReceived,
            RateLimited = stats.RateLimited,
            InternalErrors = stats.InternalErrors,
            RoutingTableNodes = stats.RoutingTableNodes,
            Buckets = stats.Buckets,
            Infohashes = stats.Infohashes,
            Peers = stats.Peers,
            Items = stats.Items,
            Endpoint = Node.LocalEndPoint.ToString(),
            NodeId = ByteString.CopyFrom(Node.Id.Span),
            ExternalAddress = Node.ExternalAddress?.ToString() ?? "",
        });
    }

    public override Task<RoutingTableReply> RoutingTable(RoutingTableRequest request, ServerCallContext context)
    {
        var table = Node.RoutingTable;
        var now = Node.Options.Clock.GetUtcNow();
        var reply = new RoutingTableReply { LocalId = ByteString.CopyFrom(table.LocalId.Span), Buckets = table.BucketCount };
        foreach (var bucket in table.Buckets)
            foreach (var node in bucket.Nodes.ToList())
                reply.Nodes.Add(new NodeEntry
                {
                    Id = ByteString.CopyFrom(node.Id.Span),
                    Endpoint = node.EndPoint.ToString(),
                    State = node.StateAt(now, table.Options) switch
                    {
                        NodeState.Good => "good",
                        NodeState.Bad => "bad",
                        _ => "questionable",
                    },
                    Verified = node.Verified,
                    Bucket = bucket.Index,
                    FailedQueries = node.FailedQueries,
                });
        return Task.FromResult(reply);
    }

    public override async Task<FindCheshirePeersReply> FindCheshirePeers(FindCheshirePeersRequest request, ServerCallContext context)
    {
        var salt = string.IsNullOrEmpty(request.Salt) ? host.Salt : request.Salt;
        var peers = await Node.FindCheshirePeersAsync(salt, context.CancellationToken);
        return new FindCheshirePeersReply
        {
            Infohash = ByteString.CopyFrom(CheshireDiscovery.Infohash(salt).Span),
            Peers = { peers.Select(p => p.ToString()) },
        };
    }

    private static PutItemReply Reply(PutResult put, byte[] publicKey, long seq) => new()
    {
        Target = ByteString.CopyFrom(put.Target.Span),
        Stored = put.Stored,
        PublicKey = ByteString.CopyFrom(publicKey),
        Seq = seq,
        Errors = { put.Errors.Select(e => $"{e.Code}: {e.ErrorMessage}") },
    };

    private static NodeId Id(ByteString bytes, string field) => bytes.Length == NodeId.Length
        ? new NodeId(bytes.Span)
        : throw Invalid($"{field} is {bytes.Length} bytes; it must be {NodeId.Length} (a SHA1)");

    private static byte[] Salt(ByteString salt) => salt.Length <= Bep44.MaxSaltLength
        ? salt.ToByteArray()
        : throw Invalid($"salt is {salt.Length} bytes; BEP 44 allows at most {Bep44.MaxSaltLength}");

    private static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
