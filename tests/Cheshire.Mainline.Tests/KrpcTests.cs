using System.Net;
using System.Net.Sockets;
using System.Text;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Tests;

/// <summary>Byte vectors from BEP 5.</summary>
public class KrpcTests
{
    private static readonly byte[] Aa = "aa"u8.ToArray();

    private static BDictionary Args(params (string Key, BValue Value)[] entries)
    {
        var d = new BDictionary();
        foreach (var (key, value) in entries)
            d[key] = value;
        return d;
    }

    private static string Text(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    [Fact]
    public void PingQueryAndResponseMatchBep5()
    {
        var query = KrpcMessage.Query(Aa, "ping", Args(("id", (BString)"abcdefghij0123456789")));
        Assert.Equal("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", Text(query.Encode()));
        var response = KrpcMessage.Reply(Aa, Args(("id", (BString)"mnopqrstuvwxyz123456")), null);
        Assert.Equal("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re", Text(response.Encode()));
    }

    [Fact]
    public void ErrorMatchesBep5()
    {
        var error = KrpcMessage.Error(Aa, 201, "A Generic Error Ocurred", null);
        Assert.Equal("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee", Text(error.Encode()));
        var parsed = KrpcMessage.Parse(error.Encode());
        Assert.Equal(KrpcMessageType.Error, parsed.Type);
        Assert.Equal(201, parsed.ErrorCode);
        Assert.Equal("A Generic Error Ocurred", parsed.ErrorMessage);
    }

    [Theory]
    [InlineData("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe", "find_node")]
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:aa1:y1:qe", "get_peers")]
    [InlineData("d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe", "announce_peer")]
    [InlineData("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re", null)]
    [InlineData("d1:rd2:id20:abcdefghij01234567895:nodes9:def456...5:token8:aoeusnthe1:t2:aa1:y1:re", null)]
    public void Bep5ExamplesParseAndReencodeExactly(string text, string? method)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var message = KrpcMessage.Parse(bytes);
        Assert.Equal(method, message.Method);
        Assert.Equal("aa", Encoding.ASCII.GetString(message.TransactionId.Span));
        Assert.Equal(text, Text(message.Encode()));
    }

    [Fact]
    public void SenderIdVersionIpAndReadOnlyAreRead()
    {
        var text = "d1:ad2:id20:abcdefghij0123456789e2:ip6:\u007f\u0000\u0000\u0001\u001a\u00e11:q4:ping2:roi1e1:t2:aa1:v4:LT\u0001\u00021:y1:qe";
        var message = KrpcMessage.Parse(Encoding.Latin1.GetBytes(text));
        Assert.Equal("abcdefghij0123456789", Encoding.ASCII.GetString(message.SenderId!.Value.Span));
        Assert.True(message.ReadOnly);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 6881), message.ExternalIp);
        Assert.Equal("LT\u0001\u0002", Encoding.Latin1.GetString(message.Version!.Value.Span));
        Assert.Equal(text, Encoding.Latin1.GetString(message.Encode()));
    }

    [Theory]
    [InlineData("d1:y1:qe", false)]
    [InlineData("d1:t2:aa1:y1:qe", true)]
    [InlineData("d1:ade1:t2:aa1:y1:qe", true)]
    [InlineData("d1:q4:ping1:t2:aa1:y1:qe", true)]
    [InlineData("d1:t2:aa1:y1:re", false)]
    [InlineData("d1:eli201ee1:t2:aa1:y1:ee", false)]
    [InlineData("d1:t2:aa1:y1:xe", true)]
    [InlineData("d1:t2:aae", true)]
    public void InvalidMessagesThrowKrpcFormatException(string text, bool hasTransaction)
    {
        var e = Assert.Throws<KrpcFormatException>(() => KrpcMessage.Parse(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(hasTransaction, e.TransactionId is not null);
    }

    [Theory]
    [InlineData("1.2.3.4", 6881, true)]
    [InlineData("2001:db8::1", 1, true)]
    [InlineData("1.2.3.4", 0, false)]
    [InlineData("0.0.0.0", 1, false)]
    [InlineData("255.255.255.255", 1, false)]
    [InlineData("239.1.2.3", 1, false)]
    [InlineData("::", 1, false)]
    [InlineData("ff02::1", 1, false)]
    public void OnlyRoutableEndpointsAreUsed(string address, int port, bool routable) =>
        Assert.Equal(routable, Compact.IsRoutable(new IPEndPoint(IPAddress.Parse(address), port)));

    [Fact]
    public void NonDictionaryIsABencodeError() =>
        Assert.Throws<BencodeException>(() => KrpcMessage.Parse("li1ee"u8.ToArray()));

    [Fact]
    public void CompactNodesAndPeersRoundTripForBothFamilies()
    {
        var v4 = new NodeContact(NodeId.Random(), new IPEndPoint(IPAddress.Parse("1.2.3.4"), 6881));
        var v6 = new NodeContact(NodeId.Random(), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 51413));
        var nodes4 = Compact.EncodeNodes([v4, v6], AddressFamily.InterNetwork);
        var nodes6 = Compact.EncodeNodes([v4, v6], AddressFamily.InterNetworkV6);
        Assert.Equal(26, nodes4.Length);
        Assert.Equal(38, nodes6.Length);
        Assert.Equal([v4], Compact.DecodeNodes(nodes4, AddressFamily.InterNetwork));
        Assert.Equal([v6], Compact.DecodeNodes(nodes6, AddressFamily.InterNetworkV6));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0x1a, 0xe1 }, Compact.EncodeEndPoint(v4.EndPoint));
        Assert.Equal(18, Compact.EncodeEndPoint(v6.EndPoint).Length);
        var mapped = new IPEndPoint(IPAddress.Parse("1.2.3.4").MapToIPv6(), 1);
        Assert.Equal(6, Compact.EncodeEndPoint(mapped).Length);
        Assert.False(Compact.TryDecodeEndPoint(new byte[7], out _));
        Assert.Empty(Compact.DecodeNodes(new byte[25], AddressFamily.InterNetwork));
    }
}
