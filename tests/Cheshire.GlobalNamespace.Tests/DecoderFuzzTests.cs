using Cheshire.Kademlia.Values;

namespace Cheshire.GlobalNamespace.Tests;

/// <summary>Random and mangled bytes, signed by a real node so they reach the decoder: refused with a reason, never thrown.</summary>
public sealed class DecoderFuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomBytesAreRefused(int seed)
    {
        using var alice = new Publisher();
        var random = new Random(seed);
        for (int i = 0; i < 500; i++)
        {
            var data = new byte[random.Next(0, 400)];
            random.NextBytes(data);
            Assert.False(RefusedOrValid(alice, data, valueId: 1, seq: 1), "random bytes were read as an entry");
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void MangledEntriesAreRefusedOrStillValid(int seed)
    {
        using var alice = new Publisher();
        var entry = alice.Entry("music", seq: 9, addresses: ["a.example:1", "[::1]:2"]);
        var encoded = EntryCodec.Encode(entry);
        var random = new Random(seed);
        var refused = 0;
        for (int i = 0; i < 500; i++)
        {
            var data = Mangle(encoded, random);
            if (!RefusedOrValid(alice, data, entry.ValueId, entry.Seq)) refused++;
        }
        Assert.True(refused > 250, $"only {refused} of 500 mangled entries were refused");
    }

    [Fact]
    public void OversizedPlaintextIsRefusedBeforeParsing()
    {
        var ok = EntryCodec.TryReadSigned(new byte[32], EntryCodec.TypeTag, 1, 1, new byte[EntryCodec.MaxEncodedLength + 1],
            Publisher.Now, out _, out var whyNot);

        Assert.False(ok);
        Assert.Contains("is more than 8192", whyNot);
    }

    /// <summary>Whether the signed bytes were read as an entry; when not, there is a reason.</summary>
    private static bool RefusedOrValid(Publisher publisher, byte[] data, ulong valueId, ulong seq)
    {
        var value = DhtValue.Signed(DirectoryKey.For("/alice", Publisher.Salt), valueId, seq, data, publisher.Node, TimeSpan.FromHours(1), EntryCodec.TypeTag);
        var (ok, entry, whyNot) = Read.Value(value);
        if (ok)
            Assert.NotNull(entry);
        else
            Assert.False(string.IsNullOrWhiteSpace(whyNot));
        return ok;
    }

    private static byte[] Mangle(byte[] original, Random random)
    {
        var data = original.ToList();
        switch (random.Next(4))
        {
            case 0:
                for (int n = random.Next(1, 4); n > 0; n--) data[random.Next(data.Count)] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                var at = random.Next(data.Count);
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(8)));
                break;
            case 2:
                data.Insert(random.Next(data.Count + 1), (byte)random.Next(256));
                break;
            default:
                data = data.Take(random.Next(data.Count)).ToList();
                break;
        }
        return [.. data];
    }
}
