using System.Net;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia.Tests;

/// <summary>Joining messages that arrived in pieces, and what the assembler refuses.</summary>
public sealed class FragmentTests
{
    private static readonly IPEndPoint Alice = new(IPAddress.Parse("192.0.2.1"), 4222);
    private static readonly IPEndPoint Bob = new(IPAddress.Parse("192.0.2.2"), 4222);
    private readonly TestClock _clock = new();

    private FragmentAssembler Assembler(KademliaOptions? options = null) => new(options ?? new KademliaOptions(), _clock);

    private static List<Fragment> Split(byte[] message, ulong id, int chunk)
    {
        var count = (message.Length + chunk - 1) / chunk;
        return Enumerable.Range(0, count).Select(i => new Fragment
        {
            MessageId = id,
            Index = (uint)i,
            Count = (uint)count,
            Data = ByteString.CopyFrom(message.AsSpan(i * chunk, Math.Min(chunk, message.Length - i * chunk))),
        }).ToList();
    }

    [Fact]
    public void PiecesInAnyOrderWithRepeatsMakeTheMessage()
    {
        var message = new byte[70_000];
        Random.Shared.NextBytes(message);
        var pieces = Split(message, 7, 1336);
        var assembler = Assembler();
        var shuffled = pieces.Concat(pieces.Take(5)).OrderBy(_ => Random.Shared.Next()).ToList();
        byte[]? whole = null;
        var completions = 0;
        foreach (var piece in shuffled)
        {
            var outcome = assembler.Add(piece, Alice, out var result);
            Assert.NotEqual(FragmentOutcome.Refused, outcome);
            if (outcome == FragmentOutcome.Complete)
            {
                completions++;
                whole = result;
            }
        }
        // repeats after completion start a new partial message that never completes (and expires)
        Assert.Equal(1, completions);
        Assert.Equal(message, whole);
    }

    [Fact]
    public void TheSameMessageIdFromTwoSendersIsTwoMessages()
    {
        var assembler = Assembler();
        var a = Split(new byte[3000], 1, 1000);
        var b = Split(Enumerable.Repeat((byte)1, 3000).ToArray(), 1, 1000);
        assembler.Add(a[0], Alice, out _);
        assembler.Add(b[0], Bob, out _);
        assembler.Add(a[1], Alice, out _);
        assembler.Add(b[1], Bob, out _);
        Assert.Equal(FragmentOutcome.Complete, assembler.Add(b[2], Bob, out var fromBob));
        Assert.Equal(FragmentOutcome.Complete, assembler.Add(a[2], Alice, out var fromAlice));
        Assert.All(fromBob!, x => Assert.Equal(1, x));
        Assert.All(fromAlice!, x => Assert.Equal(0, x));
        Assert.Equal(0, assembler.Incomplete);
    }

    [Theory]
    [InlineData(0u, 1u)]     // a message of one piece is not fragmented
    [InlineData(3u, 3u)]     // index past the end
    [InlineData(0u, 100_000u)] // more pieces than any allowed message needs
    public void BadIndexOrCountIsRefused(uint index, uint count)
    {
        var fragment = new Fragment { MessageId = 1, Index = index, Count = count, Data = ByteString.CopyFrom(1, 2, 3) };
        Assert.Equal(FragmentOutcome.Refused, Assembler().Add(fragment, Alice, out _));
    }

    [Fact]
    public void EmptyPiecesAndChangingCountsAreRefused()
    {
        var assembler = Assembler();
        Assert.Equal(FragmentOutcome.Refused, assembler.Add(new Fragment { MessageId = 1, Index = 0, Count = 2 }, Alice, out _));
        Assert.Equal(FragmentOutcome.Pending, assembler.Add(new Fragment { MessageId = 2, Index = 0, Count = 3, Data = ByteString.CopyFrom(1) }, Alice, out _));
        Assert.Equal(FragmentOutcome.Refused, assembler.Add(new Fragment { MessageId = 2, Index = 1, Count = 4, Data = ByteString.CopyFrom(1) }, Alice, out _));
        Assert.Equal(0, assembler.Incomplete);
    }

    [Fact]
    public void AMessageLargerThanTheLimitIsDropped()
    {
        var options = new KademliaOptions();
        var assembler = Assembler(options);
        var pieces = Split(new byte[options.MaxMessageSize + 2000], 9, 60_000);
        Assert.Equal(FragmentOutcome.Pending, assembler.Add(pieces[0], Alice, out _));
        Assert.Equal(FragmentOutcome.Refused, assembler.Add(pieces[1], Alice, out _));
        Assert.Equal(0, assembler.BytesHeld);
    }

    [Fact]
    public void OneSourceCannotHoldMoreThanItsShare()
    {
        var assembler = Assembler();
        for (var id = 0UL; id < FragmentAssembler.MaxPerSource; id++)
            Assert.Equal(FragmentOutcome.Pending, assembler.Add(Split(new byte[2000], id, 1000)[0], Alice, out _));
        Assert.Equal(FragmentOutcome.Refused, assembler.Add(Split(new byte[2000], 999, 1000)[0], Alice, out _));
        Assert.Equal(FragmentOutcome.Pending, assembler.Add(Split(new byte[2000], 999, 1000)[0], Bob, out _));
    }

    [Fact]
    public void TotalHeldBytesAreBounded()
    {
        var options = new KademliaOptions { MaxReassemblyBytes = 10_000 };
        var assembler = Assembler(options);
        var held = 0;
        for (var i = 0; i < 20; i++)
        {
            var source = new IPEndPoint(IPAddress.Parse($"192.0.2.{i + 10}"), 4222);
            if (assembler.Add(Split(new byte[3000], 1, 1500)[0], source, out _) == FragmentOutcome.Pending) held++;
        }
        Assert.Equal(6, held);
        Assert.True(assembler.BytesHeld <= 10_000);
    }

    [Fact]
    public void IncompleteMessagesExpire()
    {
        var assembler = Assembler(new KademliaOptions { ReassemblyTimeout = TimeSpan.FromSeconds(5) });
        var pieces = Split(new byte[3000], 4, 1000);
        assembler.Add(pieces[0], Alice, out _);
        assembler.Add(pieces[1], Alice, out _);
        _clock.Advance(TimeSpan.FromSeconds(6));
        assembler.Sweep();
        Assert.Equal(0, assembler.Incomplete);
        Assert.Equal(0, assembler.BytesHeld);
        // the last piece alone now starts a new, incomplete message
        Assert.Equal(FragmentOutcome.Pending, assembler.Add(pieces[2], Alice, out _));
    }
}
