using System.Net;
using System.Text;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Tests;

/// <summary>
/// Generated and mutated inputs: the decoder may only throw <see cref="BencodeException"/>, the KRPC parser only that
/// or <see cref="KrpcFormatException"/>, and a live node must survive all of them.
/// </summary>
[Collection(HeavyCollection.Name)]
public class FuzzTests
{
    private const int Inputs = 120_000;
    private static readonly byte[] Alphabet = "ilde0123456789:-"u8.ToArray();

    private static readonly string[] Seeds =
    [
        "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
        "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re",
        "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
        "d1:ad2:id20:abcdefghij01234567893:seqi1e3:sig64:" + new string('s', 64) + "1:v12:Hello World!e1:q3:put1:t2:aa1:y1:qe",
    ];

    [Fact]
    public async Task DecoderAndNodeSurviveHostileInput()
    {
        var random = new Random(20260101);
        var network = new InMemoryNetwork();
        await using var node = new Engine.MainlineNode(network.Bind(), Simulation.DefaultOptions with
        {
            RateLimits = new Security.RateLimitOptions { PerIpQueriesPerSecond = 1e9, PerIpBurst = 1e9, GlobalQueriesPerSecond = 1e9, GlobalBurst = 1e9 },
        });
        var source = new IPEndPoint(IPAddress.Parse("10.9.9.9"), 1234);
        int decoded = 0, rejected = 0;
        for (var i = 0; i < Inputs; i++)
        {
            var input = i % 3 == 0 ? Generate(random, 0).Encode() : Mutate(random, Encoding.Latin1.GetBytes(Seeds[random.Next(Seeds.Length)]));
            if (i % 3 == 0 && random.Next(2) == 0)
                input = Mutate(random, input);
            try
            {
                var value = BencodeReader.Decode(input, BencodeOptions.Strict);
                Assert.Equal(input, value.Encode()); // strict input is canonical: re-encodes byte for byte
                decoded++;
            }
            catch (BencodeException)
            {
                rejected++;
            }
            // The fast query reader never throws, and accepts only what the general parser accepts.
            if (FastQueryReader.TryRead(input, out var fast))
                Assert.Equal(KrpcMessageType.Query, KrpcMessage.Parse(input).Type);
            try
            {
                KrpcMessage.Parse(input);
            }
            catch (Exception e) when (e is BencodeException or KrpcFormatException)
            {
            }
            if (i % 4 == 0)
                await node.HandleDatagramAsync(new Datagram(input, source));
        }
        Assert.True(decoded > Inputs / 10, $"decoded {decoded}");
        Assert.True(rejected > Inputs / 10, $"rejected {rejected}");
        Assert.Equal(0, node.Stats.InternalErrors);
        Assert.Null(node.LastInternalError);
    }

    private static BValue Generate(Random random, int depth) => (depth > 3 ? random.Next(2) : random.Next(4)) switch
    {
        0 => new BInteger(random.Next(3) switch { 0 => random.Next(-10, 10), 1 => random.NextInt64(), _ => -random.NextInt64() }),
        1 => new BString(RandomBytes(random, random.Next(0, 24))),
        2 => new BList(Enumerable.Range(0, random.Next(0, 5)).Select(_ => Generate(random, depth + 1))),
        _ => Dictionary(random, depth),
    };

    private static BDictionary Dictionary(Random random, int depth)
    {
        var d = new BDictionary();
        for (var i = random.Next(0, 5); i > 0; i--)
            d.Set(RandomBytes(random, random.Next(0, 6)), Generate(random, depth + 1));
        return d;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] input)
    {
        var bytes = new List<byte>(input);
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] = Alphabet[random.Next(Alphabet.Length)];
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(at);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                default:
                    var length = Math.Min(random.Next(1, 16), bytes.Count - at);
                    bytes.InsertRange(at, bytes.GetRange(at, length)); // duplicate a run
                    break;
            }
        }
        return [.. bytes];
    }
}
