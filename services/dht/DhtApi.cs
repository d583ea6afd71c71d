using Cheshire.Dht.Api;
using Cheshire.Dht.Node;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Cheshire.ServiceDefaults;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.Dht;

/// <summary>The gRPC face of the node's Kademlia DHT (see protos/dht.proto).</summary>
public sealed class DhtApi(
    ModuleInfoProvider info,
    KademliaNode node,
    NodeIdentity identity,
    Bootstrapper bootstrapper,
    Republisher republisher,
    TimeProvider time,
    IHostApplicationLifetime lifetime) : global::Cheshire.Protos.Dht.Dht.DhtBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);

    public override async Task<PutReply> Put(PutRequest request, ServerCallContext context)
    {
        var key = DhtRequests.ParseKey(request.Key);
        var value = DhtRequests.BuildValue(key, request, identity, node.Options, time);
        var ttl = value.Ttl ?? node.Options.DefaultValueTtl;
        var republish = republisher.Worthwhile(ttl);
        PutResult result;
        try
        {
            result = await node.PutAsync(key, value, republish, context.CancellationToken);
        }
        catch (DhtException e)
        {
            if (republish) node.StopRepublishing(key, value.Id);
            throw DhtErrors.ToRpc(e);
        }
        if (republish) republisher.StopAfter(key, value.Id, ttl);
        var reply = new PutReply
        {
            Key = ByteString.CopyFrom(key.ToArray()),
            ValueId = value.Id,
            Seq = value.Seq,
            Stored = result.Stored,
            Asked = result.Asked,
        };
        foreach (var (code, count) in result.Errors) reply.Errors[DhtErrors.Name(code)] = count;
        return reply;
    }

    public override async Task Get(GetRequest request, IServerStreamWriter<Value> responseStream, ServerCallContext context)
    {
        var key = DhtRequests.ParseKey(request.Key);
        using var decryptionKey = DhtRequests.DecryptionKey(request.DecryptionKey);
        // Headers at once, before the lookup: a caller whose deadline ends a lookup that found nothing can tell it from a
        // dht that never answered (its headers never came).
        await context.WriteResponseHeadersAsync([]);
        try
        {
            await foreach (var value in node.GetAsync(key, context.CancellationToken))
                await responseStream.WriteAsync(DhtMapping.ToProto(value, key, decryptionKey), context.CancellationToken);
        }
        catch (DhtException e)
        {
            throw DhtErrors.ToRpc(e);
        }
    }

    public override async Task Listen(ListenRequest request, IServerStreamWriter<Value> responseStream, ServerCallContext context)
    {
        var key = DhtRequests.ParseKey(request.Key);
        using var decryptionKey = DhtRequests.DecryptionKey(request.DecryptionKey);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var value in node.ListenAsync(key, stop.Token))
                await responseStream.WriteAsync(DhtMapping.ToProto(value, key, decryptionKey), stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // the client hung up or the node is stopping: the listen ends
        }
        catch (DhtException e)
        {
            throw DhtErrors.ToRpc(e);
        }
    }

    public override Task<NodeInfoReply> NodeInfo(NodeInfoRequest request, ServerCallContext context)
    {
        var stats = node.Stats;
        return Task.FromResult(new NodeInfoReply
        {
            Id = node.Id.ToString(),
            Endpoint = node.EndPoint.ToString(),
            RoutingTableSize = stats.Contacts,
            Buckets = stats.Buckets,
            SigningKey = Convert.ToHexStringLower(identity.PublicKey),
            Stats = DhtMapping.ToProto(stats),
        });
    }

    public override Task<RoutingTableReply> RoutingTable(RoutingTableRequest request, ServerCallContext context)
    {
        var reply = new RoutingTableReply { Self = node.Id.ToString() };
        reply.Buckets.AddRange(node.RoutingTableSnapshot().Select(DhtMapping.ToProto));
        return Task.FromResult(reply);
    }

    public override async Task<BootstrapReply> Bootstrap(BootstrapRequest request, ServerCallContext context)
    {
        if (request.Endpoints.Count == 0) throw DhtErrors.Invalid("endpoints must name at least one host:port");
        foreach (var text in request.Endpoints)
            if (!EndpointParser.TryParse(text, out _, out _, out var error))
                throw DhtErrors.Invalid($"endpoints: {error}");
        BootstrapResult result;
        try
        {
            result = await bootstrapper.BootstrapAsync(request.Endpoints, context.CancellationToken);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw DhtErrors.Invalid($"endpoints: cannot resolve: {e.Message}");
        }
        if (result.Answered == 0)
            throw new RpcException(new Status(StatusCode.Unavailable,
                $"none of the {request.Endpoints.Count} endpoints answered a ping; {result.RoutingTableSize} contacts known"));
        return new BootstrapReply { Answered = result.Answered, RoutingTableSize = result.RoutingTableSize };
    }
}
