using System.Buffers;
using System.Net;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    // Room kept for the envelope, node list and token around values in a reply.
    private const int ReplyOverhead = 2048;

    private Envelope HandleRequest(Envelope request, NodeId sender, IPEndPoint remote) => request.BodyCase switch
    {
        Envelope.BodyOneofCase.Ping => new Envelope
        {
            Pong = new Pong { ObservedIp = ByteString.CopyFrom(remote.Address.GetAddressBytes()), ObservedPort = (uint)remote.Port },
        },
        Envelope.BodyOneofCase.FindNode => HandleFindNode(request.FindNode, sender, remote),
        Envelope.BodyOneofCase.Get => HandleGet(request.Get, sender, remote),
        Envelope.BodyOneofCase.Put => HandlePut(request.Put, remote),
        Envelope.BodyOneofCase.Listen => HandleListen(request.Listen, sender, remote),
        Envelope.BodyOneofCase.Notify => HandleNotify(request.Notify),
        _ => MessageCodec.Error(ErrorCode.ErrorMalformed, $"unexpected {request.BodyCase}"),
    };

    private Envelope HandleGet(Get get, NodeId sender, IPEndPoint remote)
    {
        var key = ParseKey(get.Key);
        var values = _store.Get(key);
        var reply = new GetReply { Nodes = { ClosestWire(key, sender) }, Token = Token(remote), Total = (uint)values.Count };
        reply.Values.AddRange(Page(values, (int)Math.Min(get.Skip, (uint)values.Count)));
        return new Envelope { GetReply = reply };
    }

    private Envelope HandleFindNode(FindNode findNode, NodeId sender, IPEndPoint remote)
    {
        var target = ParseKey(findNode.Target);
        var reply = new NodesReply { Nodes = { ClosestWire(target, sender) }, Token = Token(remote) };
        if (findNode.Store.Count > 0)
        {
            var (stored, error) = StoreValues(target, findNode.Store, findNode.Token, remote);
            reply.Stored = new StoreResult { Stored = stored, Error = error };
        }
        return new Envelope { Nodes = reply };
    }

    private Envelope HandlePut(Put put, IPEndPoint remote)
    {
        var (stored, error) = StoreValues(ParseKey(put.Key), put.Values, put.Token, remote);
        return error == ErrorCode.ErrorBadToken
            ? MessageCodec.Error(error, "put needs the token from a recent find_node or get")
            : stored == 0 && error != ErrorCode.ErrorNone
                ? MessageCodec.Error(error, $"no value stored: {error}")
                : new Envelope { PutReply = new PutReply { Stored = stored } };
    }

    /// <summary>Stores values a peer sent with its write token; how many were stored and the first refusal.</summary>
    private (uint Stored, ErrorCode FirstError) StoreValues(NodeId key, IEnumerable<Value> values, ByteString token, IPEndPoint remote)
    {
        if (!_tokens.Validate(remote.Address, token.Span)) return (0, ErrorCode.ErrorBadToken);
        uint stored = 0;
        var firstError = ErrorCode.ErrorNone;
        foreach (var wire in values)
        {
            var code = _store.Store(key, new DhtValue(wire));
            if (code == ErrorCode.ErrorNone) stored++;
            else if (firstError == ErrorCode.ErrorNone) firstError = code;
        }
        if (stored > 0) ReplicatedBySomeoneElse(key);
        return (stored, firstError);
    }

    private Envelope HandleListen(Listen listen, NodeId sender, IPEndPoint remote)
    {
        var key = ParseKey(listen.Key);
        if (!_tokens.Validate(remote.Address, listen.Token.Span))
            return MessageCodec.Error(ErrorCode.ErrorBadToken, "listen needs the token from a recent find_node or get");
        if (listen.Cancel)
        {
            RemoveListener(key, listen.ListenId, remote);
            return new Envelope { ListenReply = new ListenReply() };
        }
        var ttl = Options.ListenTtl;
        if (listen.TtlSeconds > 0 && TimeSpan.FromSeconds(listen.TtlSeconds) < ttl) ttl = TimeSpan.FromSeconds(listen.TtlSeconds);
        var code = AddListener(key, new Contact(sender, remote), listen.ListenId, ttl);
        if (code != ErrorCode.ErrorNone) return MessageCodec.Error(code, "this node has too many listeners");
        var reply = new ListenReply { TtlSeconds = (uint)ttl.TotalSeconds };
        reply.Values.AddRange(Page(_store.Get(key), 0));
        return new Envelope { ListenReply = reply };
    }

    private Envelope HandleNotify(Notify notify)
    {
        var key = ParseKey(notify.Key);
        if (!_localListens.TryGetValue(notify.ListenId, out var listen) || listen.Key != key)
            return MessageCodec.Error(ErrorCode.ErrorUnknownListen, "no such listen here");
        foreach (var wire in notify.Values) listen.Offer(new DhtValue(wire));
        return new Envelope { NotifyAck = new NotifyAck() };
    }

    private NodeInfo[] ClosestWire(NodeId target, NodeId exclude)
    {
        var buffer = ArrayPool<Contact>.Shared.Rent(Options.K);
        try
        {
            var found = RoutingTable.CopyClosest(target, buffer.AsSpan(0, Options.K), exclude);
            var wire = new NodeInfo[found];
            for (var i = 0; i < found; i++) wire[i] = _wireContacts.ToWire(buffer[i]);
            return wire;
        }
        finally
        {
            ArrayPool<Contact>.Shared.Return(buffer, clearArray: true);
        }
    }

    private ByteString Token(IPEndPoint remote) => UnsafeByteOperations.UnsafeWrap(_tokens.Issue(remote.Address));

    /// <summary>Values from <paramref name="skip"/> on that fit in one message.</summary>
    private List<Value> Page(List<DhtValue> values, int skip)
    {
        var budget = Options.MaxMessageSize - ReplyOverhead;
        var page = new List<Value>();
        for (var i = skip; i < values.Count; i++)
        {
            var size = values[i].Wire.CalculateSize() + 4;
            if (size > budget && page.Count > 0) break;
            if (size > budget) continue;
            page.Add(values[i].Wire);
            budget -= size;
        }
        return page;
    }

    private static NodeId ParseKey(ByteString key) =>
        NodeId.TryParse(key.Span, out var id) ? id : throw new DhtException(ErrorCode.ErrorMalformed, "keys and targets are 20 bytes");
}
