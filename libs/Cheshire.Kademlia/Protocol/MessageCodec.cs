using System.Net;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia.Protocol;

/// <summary>Envelope bytes in and out. Decoding never throws: bad input is reported as false.</summary>
internal static class MessageCodec
{
    public const uint Version = 1;

    public static bool TryDecode(ReadOnlySpan<byte> datagram, out Envelope envelope, out NodeId sender)
    {
        envelope = null!;
        sender = default;
        if (datagram.Length < 4) return false;
        try
        {
            envelope = Envelope.Parser.ParseFrom(datagram);
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or OverflowException)
        {
            return false;
        }
        return envelope.BodyCase != Envelope.BodyOneofCase.None && NodeId.TryParse(envelope.SenderId.Span, out sender);
    }

    public static bool IsResponse(Envelope envelope) => envelope.BodyCase is
        Envelope.BodyOneofCase.Pong or Envelope.BodyOneofCase.Nodes or Envelope.BodyOneofCase.GetReply or
        Envelope.BodyOneofCase.PutReply or Envelope.BodyOneofCase.ListenReply or Envelope.BodyOneofCase.NotifyAck or
        Envelope.BodyOneofCase.Error;

    public static NodeInfo ToWire(Contact contact)
    {
        Span<byte> ip = stackalloc byte[16];
        contact.EndPoint.Address.TryWriteBytes(ip, out var written);
        Span<byte> id = stackalloc byte[NodeId.Length];
        contact.Id.WriteTo(id);
        return new NodeInfo { Id = ByteString.CopyFrom(id), Ip = ByteString.CopyFrom(ip[..written]), Port = (uint)contact.EndPoint.Port };
    }

    public static bool TryFromWire(NodeInfo info, out Contact contact)
    {
        contact = default;
        if (!NodeId.TryParse(info.Id.Span, out var id)) return false;
        if (info.Ip.Length is not (4 or 16) || info.Port is 0 or > 65535) return false;
        var address = new IPAddress(info.Ip.Span);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        contact = new Contact(id, new IPEndPoint(address, (int)info.Port));
        return true;
    }

    public static Envelope Error(ErrorCode code, string message) => new() { Error = new Error { Code = code, Message = message } };
}
