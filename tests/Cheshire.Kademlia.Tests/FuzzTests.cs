using System.Net;
using Cheshire.Identity;
using Cheshire.Kademlia.Transport;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia.Tests;

/// <summary>Random and mutated datagrams must be dropped or answered with an error, never crash a node.</summary>
[Collection(HeavyCollection.Name)]
public sealed class FuzzTests
{
    [Fact]
    public async Task AHundredThousandBadDatagramsLeaveTheNodeWorking()
    {
        var network = new SimulatedNetwork();
        var options = SimulatedCluster.FastOptions with { MaxValuesPerKey = 64 };
        using var id = NodeIdentity.Generate();
        await using var target = new KademliaNode(id, network.CreateTransport(), options);
        await target.StartAsync();
        using var id2 = NodeIdentity.Generate();
        var attackerTransport = network.CreateTransport();
        var replies = 0;
        var token = ByteString.Empty;
        attackerTransport.Start((data, _) =>
        {
            Interlocked.Increment(ref replies);
            var reply = Envelope.Parser.ParseFrom(data);
            if (reply.BodyCase == Envelope.BodyOneofCase.Nodes) token = reply.Nodes.Token;
        });
        // a real token lets hostile puts and listens reach the store and listener checks
        attackerTransport.Send(ValidMessages(target).ElementAt(1).ToByteArray(), target.EndPoint);
        await WaitUntil(() => !token.IsEmpty, TimeSpan.FromSeconds(5));
        Assert.False(token.IsEmpty);

        var seeds = ValidMessages(target).Select(m => m.ToByteArray()).ToList();
        var random = new Random(1234);
        for (var i = 0; i < 100_000; i++)
        {
            var datagram = (i % 4) switch
            {
                0 => RandomBytes(random, random.Next(0, 1500)),
                1 => Truncate(random, seeds[random.Next(seeds.Count)]),
                2 => Mutate(random, seeds[random.Next(seeds.Count)]),
                _ => Structured(random, token).ToByteArray(),
            };
            attackerTransport.Send(datagram, target.EndPoint);
            if (i % 5000 == 0) await Task.Delay(1); // let the thread pool drain
        }
        Assert.True(await WaitUntil(() => target.Stats.DatagramsIn >= 100_000, TimeSpan.FromSeconds(120)),
            $"the node received {target.Stats.DatagramsIn} of 100,000 datagrams");
        await Quiesce(target);

        Assert.Equal(0, network.HandlerErrors);
        Assert.True(target.Stats.Malformed > 0);
        // thousands of sender ids from one address: the routing table keeps one of them
        Assert.Single(target.RoutingTable.All(), c => c.EndPoint.Equals(attackerTransport.LocalEndPoint));
        Assert.True(replies > 0, "well-formed requests get replies (errors included)");
        // the node still works for an honest peer
        using var honestId = NodeIdentity.Generate();
        // the honest peer tests that the node answers, not how fast: generous timeouts on a loaded machine
        await using var honest = new KademliaNode(honestId, network.CreateTransport(),
            options with { RequestTimeout = TimeSpan.FromSeconds(2), Retries = 2 });
        await honest.StartAsync();
        Assert.NotNull(await honest.PingAsync(target.EndPoint));
        Assert.Equal(1, await honest.BootstrapAsync([target.EndPoint]));
        var key = NodeId.Hash("/after-fuzz");
        await honest.PutAsync(key, DhtValue.Plain(1, "ok"), republish: false);
        Assert.Contains(target.StoredValues(), v => v.Key == key);
    }

    [Fact]
    public async Task AStoreRidingOnAFindNodeNeedsTheSendersToken()
    {
        var network = new SimulatedNetwork();
        using var id = NodeIdentity.Generate();
        await using var target = new KademliaNode(id, network.CreateTransport(), SimulatedCluster.FastOptions);
        await target.StartAsync();
        var peer = network.CreateTransport();
        var replies = System.Threading.Channels.Channel.CreateUnbounded<Envelope>();
        peer.Start((data, _) => replies.Writer.TryWrite(Envelope.Parser.ParseFrom(data)));
        var sender = ByteString.CopyFrom(NodeId.Random().ToArray());
        var key = ByteString.CopyFrom(NodeId.Hash("/riding").ToArray());
        var value = DhtValue.Plain(1, "ride").Wire;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        peer.Send(new Envelope { Tx = 1, SenderId = sender, FindNode = new FindNode { Target = key, Token = ByteString.CopyFrom(new byte[8]), Store = { value } } }.ToByteArray(), target.EndPoint);
        var refused = await replies.Reader.ReadAsync(cts.Token);
        Assert.Equal(ErrorCode.ErrorBadToken, refused.Nodes.Stored.Error);
        Assert.Empty(target.StoredValues());

        peer.Send(new Envelope { Tx = 2, SenderId = sender, FindNode = new FindNode { Target = key, Token = refused.Nodes.Token, Store = { value } } }.ToByteArray(), target.EndPoint);
        var accepted = await replies.Reader.ReadAsync(cts.Token);
        Assert.Equal(1u, accepted.Nodes.Stored.Stored);
        Assert.Equal("ride"u8.ToArray(), Assert.Single(target.StoredValues()).Value.Data.ToArray());
    }

    [Fact]
    public async Task HostileFragmentsAreBoundedAndNeverNest()
    {
        var network = new SimulatedNetwork();
        var options = SimulatedCluster.FastOptions with { MaxReassemblyBytes = 256 * 1024 };
        using var id = NodeIdentity.Generate();
        await using var target = new KademliaNode(id, network.CreateTransport(), options);
        await target.StartAsync();
        var attackers = Enumerable.Range(0, 8).Select(_ => network.CreateTransport()).ToList();
        var replies = 0;
        foreach (var attacker in attackers) attacker.Start((_, _) => Interlocked.Increment(ref replies));
        var sender = ByteString.CopyFrom(NodeId.Random().ToArray());
        var random = new Random(99);
        var maxHeld = 0;
        for (var i = 0; i < 40_000; i++)
        {
            var count = (uint)random.Next(0, 200);
            var fragment = new Fragment
            {
                MessageId = (ulong)random.Next(0, 64),
                Index = (uint)random.Next(0, (int)count + 2),
                Count = count,
                Data = ByteString.CopyFrom(RandomBytes(random, random.Next(0, 1400))),
            };
            var envelope = new Envelope { Tx = (ulong)random.NextInt64(), SenderId = sender, Fragment = fragment };
            attackers[i % attackers.Count].Send(envelope.ToByteArray(), target.EndPoint);
            if (i % 2000 == 0)
            {
                await Task.Delay(1);
                maxHeld = Math.Max(maxHeld, target.Stats.FragmentBytesHeld);
            }
        }
        Assert.True(await WaitUntil(() => target.Stats.DatagramsIn >= 40_000, TimeSpan.FromSeconds(120)),
            $"the node received {target.Stats.DatagramsIn} of 40,000 datagrams");
        Assert.Equal(0, network.HandlerErrors);
        Assert.InRange(maxHeld, 0, options.MaxReassemblyBytes);

        // the last hostile datagrams may still be in the node's hands: let its counters settle first
        await Quiesce(target);

        // (each attacker now holds its 16 incomplete messages; a fresh address gets its own share)
        var fresh = network.CreateTransport();
        var freshReplies = 0;
        fresh.Start((_, _) => Interlocked.Increment(ref freshReplies));

        // a whole message made of pieces whose joined content is itself a fragment: refused, not unwrapped
        var inner = new Envelope { Tx = 5, SenderId = sender, Fragment = new Fragment { MessageId = 1, Index = 0, Count = 2, Data = ByteString.CopyFrom(RandomBytes(random, 3000)) } }.ToByteArray();
        var malformed = target.Stats.Malformed;
        var reassembled = target.Stats.MessagesReassembled;
        foreach (var piece in Pieces(inner, 1000, 77))
            fresh.Send(new Envelope { Tx = 5, SenderId = sender, Fragment = piece }.ToByteArray(), target.EndPoint);
        await WaitUntil(() => target.Stats.Malformed > malformed, TimeSpan.FromSeconds(5));
        Assert.Equal(reassembled + 1, target.Stats.MessagesReassembled);
        Assert.True(target.Stats.Malformed > malformed);

        // and a get sent in pieces is answered like any get
        var padded = new Envelope { Tx = 6, SenderId = sender, Get = new Get { Key = ByteString.CopyFrom(NodeId.Random().ToArray()) } };
        Assert.Equal(0, freshReplies); // the nested one was not unwrapped into a request
        foreach (var piece in Pieces(padded.ToByteArray(), 10, 78))
            fresh.Send(new Envelope { Tx = 6, SenderId = sender, Fragment = piece }.ToByteArray(), target.EndPoint);
        await WaitUntil(() => freshReplies > 0, TimeSpan.FromSeconds(5));
        await Quiesce(target);
        Assert.Equal(1, freshReplies);
    }

    /// <summary>Waits until the node's counters stop moving (everything delivered has been handled).</summary>
    private static async Task Quiesce(KademliaNode node)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var last = node.Stats;
        while (DateTime.UtcNow < until)
        {
            await Task.Delay(200);
            var now = node.Stats;
            if (now.DatagramsIn == last.DatagramsIn && now.Malformed == last.Malformed && now.MessagesReassembled == last.MessagesReassembled
                && now.DatagramsOut == last.DatagramsOut) return;
            last = now;
        }
    }

    private static IEnumerable<Fragment> Pieces(byte[] message, int chunk, ulong id)
    {
        var count = (message.Length + chunk - 1) / chunk;
        for (var i = 0; i < count; i++)
            yield return new Fragment
            {
                MessageId = id,
                Index = (uint)i,
                Count = (uint)count,
                Data = ByteString.CopyFrom(message.AsSpan(i * chunk, Math.Min(chunk, message.Length - i * chunk))),
            };
    }

    private static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < until) await Task.Delay(20);
        return condition();
    }

    private static IEnumerable<Envelope> ValidMessages(KademliaNode target)
    {
        var sender = ByteString.CopyFrom(NodeId.Random().ToArray());
        var key = ByteString.CopyFrom(NodeId.Hash("k").ToArray());
        var value = DhtValue.Plain(1, "payload").Wire;
        yield return new Envelope { Tx = 1, SenderId = sender, Ping = new Ping() };
        yield return new Envelope { Tx = 2, SenderId = sender, FindNode = new FindNode { Target = key } };
        yield return new Envelope { Tx = 3, SenderId = sender, Get = new Get { Key = key } };
        yield return new Envelope { Tx = 4, SenderId = sender, Put = new Put { Key = key, Values = { value } } };
        yield return new Envelope { Tx = 5, SenderId = sender, Listen = new Listen { Key = key, ListenId = 9 } };
        yield return new Envelope { Tx = 6, SenderId = sender, Notify = new Notify { Key = key, Values = { value } } };
        yield return new Envelope { Tx = 7, SenderId = sender, Nodes = new NodesReply { Nodes = { new NodeInfo { Id = key, Ip = ByteString.CopyFrom(1, 2, 3, 4), Port = 5 } } } };
        yield return new Envelope { Tx = 8, SenderId = sender, Error = new Error { Code = ErrorCode.ErrorMalformed } };
    }

    /// <summary>Well-formed protobuf with hostile contents: wrong lengths, huge fields, bad signatures.</summary>
    private static Envelope Structured(Random random, ByteString token)
    {
        ByteString Bytes(int max) => ByteString.CopyFrom(RandomBytes(random, random.Next(0, max)));
        ByteString Id() => random.Next(3) == 0 ? Bytes(24) : ByteString.CopyFrom(NodeId.Random().ToArray());
        ByteString Token() => random.Next(4) == 0 ? Bytes(10) : token;
        var value = new Value
        {
            Id = (ulong)random.NextInt64(),
            Data = Bytes(random.Next(2) == 0 ? 100 : 70_000),
            Owner = random.Next(2) == 0 ? Bytes(40) : ByteString.CopyFrom(RandomBytes(random, 32)),
            Signature = random.Next(2) == 0 ? Bytes(70) : ByteString.CopyFrom(RandomBytes(random, 64)),
            Recipient = Bytes(25),
            Seq = (ulong)random.NextInt64(),
            TtlSeconds = (uint)random.Next(),
            Type = new string('t', random.Next(0, 100)),
        };
        var envelope = new Envelope { Tx = (ulong)random.NextInt64(), SenderId = Id() };
        switch (random.Next(6))
        {
            case 0:
                envelope.FindNode = random.Next(2) == 0
                    ? new FindNode { Target = Id() }
                    : new FindNode { Target = Id(), Token = Token(), Store = { value } }; // a lookup that stores as it goes
                break;
            case 1: envelope.Get = new Get { Key = Id(), Skip = (uint)random.Next() }; break;
            case 2: envelope.Put = new Put { Key = Id(), Token = Token(), Values = { value, value } }; break;
            case 3: envelope.Listen = new Listen { Key = Id(), Token = Token(), TtlSeconds = (uint)random.Next() }; break;
            case 4: envelope.Notify = new Notify { Key = Id(), ListenId = (ulong)random.NextInt64(), Values = { value } }; break;
            default: envelope.Pong = new Pong { ObservedIp = Bytes(20) }; break;
        }
        return envelope;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Truncate(Random random, byte[] message) => message[..random.Next(0, message.Length)];

    private static byte[] Mutate(Random random, byte[] message)
    {
        var copy = (byte[])message.Clone();
        for (var flips = random.Next(1, 6); flips > 0; flips--)
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }
}
