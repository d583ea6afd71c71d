using System.Net;
using System.Net.Sockets;
using System.Text;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Tests;

/// <summary>The ping / find_node / get_peers fast path answers byte for byte as the general path does.</summary>
public class FastPathTests
{
    private static readonly IPEndPoint V4 = new(IPAddress.Parse("10.9.9.9"), 1234);
    private static readonly IPEndPoint V6 = new(IPAddress.Parse("fd00::9"), 4321);

    private static readonly MainlineOptions Options = Simulation.DefaultOptions with
    {
        RateLimits = new Security.RateLimitOptions { PerIpQueriesPerSecond = 1e9, PerIpBurst = 1e9, GlobalQueriesPerSecond = 1e9, GlobalBurst = 1e9 },
    };

    /// <summary>Captures what the node sends; never receives.</summary>
    private sealed class CaptureTransport : ISynchronousDatagramTransport
    {
        public List<byte[]> Sent { get; } = [];
        public IPEndPoint LocalEndPoint { get; } = new(IPAddress.IPv6Any, 6881);
        public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint destination, CancellationToken cancellationToken)
        {
            Sent.Add(datagram.ToArray());
            return ValueTask.CompletedTask;
        }
        public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => Sent.Add(datagram.ToArray());
        public ValueTask<Datagram> ReceiveAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
        public int Receive(Span<byte> buffer, out IPEndPoint source) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static (MainlineNode Node, CaptureTransport Transport) CreateNode()
    {
        var transport = new CaptureTransport();
        var node = new MainlineNode(transport, Options);
        var random = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var id = new byte[NodeId.Length];
            random.NextBytes(id);
            var endPoint = i % 2 == 0 ? new IPEndPoint(IPAddress.Parse($"10.1.{i}.1"), 6881) : new IPEndPoint(IPAddress.Parse($"fd00::{i + 1:x}"), 6881);
            node.RoutingTable.Heard(new NodeId(id), endPoint, responded: i % 5 != 0, verified: false);
        }
        return (node, transport);
    }

    /// <summary>Runs the fast path, then the general path, on the same node; returns both first replies.</summary>
    private static async Task<(bool Fast, byte[]? FastReply, byte[]? SlowReply)> BothAsync(MainlineNode node, CaptureTransport transport, byte[] query, IPEndPoint source)
    {
        transport.Sent.Clear();
        var fast = node.TryAnswerFast(query, source, new byte[4096], transport);
        var fastReply = transport.Sent.FirstOrDefault();
        transport.Sent.Clear();
        await node.HandleDatagramAsync(new Datagram(query, source));
        return (fast, fastReply, transport.Sent.FirstOrDefault());
    }

    private static byte[] Query(string method, BDictionary args, string t = "aa", bool readOnly = false) =>
        KrpcMessage.Query(Encoding.ASCII.GetBytes(t), method, args, readOnly).Encode();

    public static TheoryData<string, bool> Cases => new()
    {
        { "ping", false }, { "find_node", false }, { "get_peers", false }, { "get_peers", true }, { "find_node", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task RepliesEqualTheGeneralPath(string method, bool ipv6)
    {
        var (node, transport) = CreateNode();
        var target = NodeId.Sha1("target");
        node.Peers.Add(target, new IPEndPoint(ipv6 ? IPAddress.Parse("fd00::77") : IPAddress.Parse("10.7.7.7"), 7777));
        var args = new BDictionary { ["id"] = new BString(NodeId.Sha1("requester").ToArray()) };
        if (method == "find_node") args["target"] = new BString(target.ToArray());
        if (method == "get_peers") args["info_hash"] = new BString(target.ToArray());
        foreach (var readOnly in new[] { true, false })
        {
            var (fast, fastReply, slowReply) = await BothAsync(node, transport, Query(method, args, "xyz", readOnly), ipv6 ? V6 : V4);
            Assert.True(fast);
            Assert.NotNull(fastReply);
            Assert.Equal(slowReply, fastReply);
        }
        Assert.Equal(4, node.Stats.QueriesReceived[method]);
    }

    [Theory]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", true)]
    [InlineData("d1:ad2:id20:abcdefghij01234567896:target20:abcdefghij0123456789e1:q9:find_node1:t0:1:v4:LT\x01\x02" + "1:y1:qe", true)]
    [InlineData("d1:q4:ping1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe", false)] // keys out of order
    [InlineData("d1:ad2:id20:abcdefghij01234567894:wantl2:n4ee1:q4:ping1:t2:aa1:y1:qe", false)] // want
    [InlineData("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe", false)] // short id
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q13:announce_peer1:t2:aa1:y1:qe", false)]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:re", false)]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qee", false)]
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping2:roi01e1:t2:aa1:y1:qe", false)] // leading zero
    public async Task AcceptsOnlyTheCommonShapes(string text, bool accepted)
    {
        var (node, transport) = CreateNode();
        var (fast, fastReply, slowReply) = await BothAsync(node, transport, Encoding.Latin1.GetBytes(text), V4);
        Assert.Equal(accepted, fast);
        if (accepted)
            Assert.Equal(slowReply, fastReply);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork)]
    [InlineData(AddressFamily.InterNetworkV6)]
    public void ClosestCompactEqualsClosestThenEncode(AddressFamily family)
    {
        var (node, _) = CreateNode();
        var buffer = new byte[16 * Compact.Node6];
        for (var i = 0; i < 500; i++)
        {
            var target = NodeId.Random();
            var count = i % 17;
            var written = node.RoutingTable.WriteClosestConfirmed(target.Span, count, family, buffer);
            var expected = Compact.EncodeNodes(node.RoutingTable.Closest(target, count, family, confirmedOnly: true), family);
            Assert.Equal(expected, buffer[..written]);
        }
    }

    [Fact]
    public async Task MutatedQueriesNeverCrashAndMatchTheGeneralPath()
    {
        var (node, transport) = CreateNode();
        var random = new Random(5);
        var seeds = new[]
        {
            Query("ping", new BDictionary { ["id"] = new BString(new byte[20]) }),
            Query("find_node", new BDictionary { ["id"] = new BString(new byte[20]), ["target"] = new BString(new byte[20]) }),
            Query("get_peers", new BDictionary { ["id"] = new BString(new byte[20]), ["info_hash"] = new BString(new byte[20]), ["noseed"] = new BInteger(1) }),
        };
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var input = seeds[random.Next(seeds.Length)].ToList();
            for (var n = random.Next(1, 3); n > 0 && input.Count > 0; n--)
            {
                var at = random.Next(input.Count);
                switch (random.Next(3))
                {
                    case 0: input[at] = "ilde0123456789:-"u8[random.Next(16)]; break;
                    case 1: input.RemoveAt(at); break;
                    default: input.Insert(at, (byte)random.Next(256)); break;
                }
            }
            var (fast, fastReply, slowReply) = await BothAsync(node, transport, [.. input], V4);
            if (!fast)
                continue;
            accepted++;
            Assert.Equal(slowReply, fastReply);
        }
        Assert.True(accepted > 100, $"accepted {accepted}");
        Assert.Equal(0, node.Stats.InternalErrors);
    }
}
