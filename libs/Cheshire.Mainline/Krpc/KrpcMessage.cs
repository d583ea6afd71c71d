using System.Net;
using System.Text;
using Cheshire.Mainline.Bencode;

namespace Cheshire.Mainline.Krpc;

public enum KrpcMessageType
{
    Query,
    Response,
    Error,
}

/// <summary>
/// A structurally invalid KRPC message. <see cref="TransactionId"/> is set when an error reply is appropriate
/// (broken queries); broken responses and errors are never answered, so two nodes cannot ping-pong errors.
/// </summary>
public sealed class KrpcFormatException(string message, ReadOnlyMemory<byte>? transactionId) : FormatException(message)
{
    public ReadOnlyMemory<byte>? TransactionId { get; } = transactionId;
}

/// <summary>
/// One KRPC message (BEP 5): <c>t</c> transaction id, <c>y</c> type, <c>q</c>/<c>a</c> for queries, <c>r</c> for
/// responses, <c>e</c> for errors, optional <c>v</c> client version, <c>ip</c> (BEP 42) and <c>ro</c> (BEP 43).
/// </summary>
public sealed class KrpcMessage
{
    public required ReadOnlyMemory<byte> TransactionId { get; init; }
    public required KrpcMessageType Type { get; init; }
    public string? Method { get; init; }
    public BDictionary? Arguments { get; init; }
    public BDictionary? Response { get; init; }
    public int ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public ReadOnlyMemory<byte>? Version { get; init; }

    /// <summary>BEP 42: the requester's address as the responder saw it.</summary>
    public IPEndPoint? ExternalIp { get; init; }

    /// <summary>BEP 43: the querying node is read-only.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>The sender's node id (from <c>a.id</c> or <c>r.id</c>), when valid.</summary>
    public NodeId? SenderId
    {
        get
        {
            var body = Type == KrpcMessageType.Query ? Arguments : Response;
            return body?.Get<BString>("id") is { Length: NodeId.Length } id ? new NodeId(id.Span) : null;
        }
    }

    public static KrpcMessage Query(ReadOnlyMemory<byte> transactionId, string method, BDictionary arguments, bool readOnly = false) =>
        new() { TransactionId = transactionId, Type = KrpcMessageType.Query, Method = method, Arguments = arguments, ReadOnly = readOnly };

    public static KrpcMessage Reply(ReadOnlyMemory<byte> transactionId, BDictionary response, IPEndPoint? requester) =>
        new() { TransactionId = transactionId, Type = KrpcMessageType.Response, Response = response, ExternalIp = requester };

    public static KrpcMessage Error(ReadOnlyMemory<byte> transactionId, int code, string message, IPEndPoint? requester) =>
        new() { TransactionId = transactionId, Type = KrpcMessageType.Error, ErrorCode = code, ErrorMessage = message, ExternalIp = requester };

    public BDictionary ToBencode()
    {
        var d = new BDictionary { ["t"] = new BString(TransactionId) };
        switch (Type)
        {
            case KrpcMessageType.Query:
                d["y"] = (BString)"q";
                d["q"] = BString.From(Method ?? throw new InvalidOperationException("a query needs a method"));
                d["a"] = Arguments ?? new BDictionary();
                if (ReadOnly)
                    d["ro"] = new BInteger(1);
                break;
            case KrpcMessageType.Response:
                d["y"] = (BString)"r";
                d["r"] = Response ?? new BDictionary();
                break;
            default:
                d["y"] = (BString)"e";
                d["e"] = new BList([new BInteger(ErrorCode), BString.From(ErrorMessage ?? "")]);
                break;
        }
        if (Version is { } version)
            d["v"] = new BString(version);
        if (ExternalIp is not null)
            d["ip"] = new BString(Compact.EncodeEndPoint(ExternalIp));
        return d;
    }

    public byte[] Encode() => ToBencode().Encode();

    /// <summary>
    /// Parses a datagram. Throws <see cref="BencodeException"/> for malformed bencode and
    /// <see cref="KrpcFormatException"/> for a dictionary that is not a valid KRPC message.
    /// </summary>
    public static KrpcMessage Parse(ReadOnlyMemory<byte> datagram)
    {
        var d = BencodeReader.DecodeDictionary(datagram);
        if (d.Get<BString>("t") is not { } t)
            throw new KrpcFormatException("missing transaction id 't'", null);
        var transactionId = t.Value;
        var y = d.Get<BString>("y");
        var version = d.Get<BString>("v")?.Value;
        IPEndPoint? ip = null;
        if (d.Get<BString>("ip") is { } ipBytes && Compact.TryDecodeEndPoint(ipBytes.Span, out var decoded))
            ip = decoded;
        if (y is not { Length: 1 })
            throw new KrpcFormatException("missing or invalid message type 'y'", transactionId);
        switch (y.Span[0])
        {
            case (byte)'q':
                if (d.Get<BString>("q") is not { } q || q.Length is 0 or > 64)
                    throw new KrpcFormatException("query without method 'q'", transactionId);
                if (d.Get<BDictionary>("a") is not { } a)
                    throw new KrpcFormatException("query without arguments 'a'", transactionId);
                return new KrpcMessage
                {
                    TransactionId = transactionId, Type = KrpcMessageType.Query, Method = Encoding.ASCII.GetString(q.Span),
                    Arguments = a, Version = version, ExternalIp = ip, ReadOnly = d.Get<BInteger>("ro") is { Value: 1 },
                };
            case (byte)'r':
                if (d.Get<BDictionary>("r") is not { } r)
                    throw new KrpcFormatException("response without 'r'", null);
                return new KrpcMessage { TransactionId = transactionId, Type = KrpcMessageType.Response, Response = r, Version = version, ExternalIp = ip };
            case (byte)'e':
                if (d.Get<BList>("e") is not { Count: >= 2 } e || e[0] is not BInteger code || e[1] is not BString message)
                    throw new KrpcFormatException("error without [code, message] 'e'", null);
                return new KrpcMessage
                {
                    TransactionId = transactionId, Type = KrpcMessageType.Error, ErrorCode = (int)Math.Clamp(code.Value, int.MinValue, int.MaxValue),
                    ErrorMessage = message.Text, Version = version, ExternalIp = ip,
                };
            default:
                throw new KrpcFormatException("unknown message type 'y'", transactionId);
        }
    }
}
