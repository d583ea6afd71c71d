using System.Buffers;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

public sealed class CodecTests
{
    public static TheoryData<Dialect> Dialects => [Dialect.Styx2000, Dialect.Unix, Dialect.Linux];

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Every_message_type_round_trips(Dialect dialect)
    {
        var seen = new HashSet<MessageType>();
        foreach (var message in SampleMessages.All())
        {
            var bytes = StyxMessageWriter.ToArray(message, dialect);
            var decoded = Parse(bytes, dialect);
            Assert.Equal(message.Type, decoded.Type);
            Assert.Equal(message.Tag, decoded.Tag);
            Assert.Equal(bytes, StyxMessageWriter.ToArray(decoded, dialect));
            seen.Add(message.Type);
        }
        var expected = Enum.GetValues<MessageType>().Where(t => t is not (MessageType.Tlerror or MessageType.Terror));
        Assert.Empty(expected.Except(seen));
    }

    [Fact]
    public void Fields_survive_decoding()
    {
        var walk = (Twalk)Parse(StyxMessageWriter.ToArray(new Twalk(5, 1, 2, ["a", "ünï"]), Dialect.Linux), Dialect.Linux);
        Assert.Equal(["a", "ünï"], walk.Names);
        var stat = ((Rstat)Parse(StyxMessageWriter.ToArray(new Rstat(1, SampleMessages.Stat), Dialect.Unix), Dialect.Unix)).Stat;
        Assert.Equal(SampleMessages.Stat, stat);
        var plain = ((Rstat)Parse(StyxMessageWriter.ToArray(new Rstat(1, SampleMessages.Stat), Dialect.Styx2000), Dialect.Styx2000)).Stat;
        Assert.Equal("", plain.Extension);
        Assert.Equal(SampleMessages.Stat.Name, plain.Name);
        var write = (Twrite)Parse(StyxMessageWriter.ToArray(new Twrite(1, 2, 3, new byte[] { 4, 5 }), Dialect.Linux), Dialect.Linux);
        Assert.Equal(new byte[] { 4, 5 }, write.Data.ToArray());
        write.Release();
    }

    [Fact]
    public void Tversion_bytes_match_the_spec_layout()
    {
        var bytes = StyxMessageWriter.ToArray(new Tversion(StyxConstants.NoTag, 8192, "9P2000"), Dialect.Styx2000);
        Assert.Equal(new byte[] { 19, 0, 0, 0, 100, 0xFF, 0xFF, 0x00, 0x20, 0, 0, 6, 0, (byte)'9', (byte)'P', (byte)'2', (byte)'0', (byte)'0', (byte)'0' }, bytes);
    }

    [Fact]
    public void Rlerror_and_dotu_Rerror_bytes_match_the_spec_layout()
    {
        Assert.Equal(new byte[] { 11, 0, 0, 0, 7, 1, 0, 2, 0, 0, 0 }, StyxMessageWriter.ToArray(new Rlerror(1, Errno.ENOENT), Dialect.Linux));
        Assert.Equal(new byte[] { 14, 0, 0, 0, 107, 3, 0, 1, 0, (byte)'x', 13, 0, 0, 0 },
            StyxMessageWriter.ToArray(new Rerror(3, "x", Errno.EACCES), Dialect.Unix));
        Assert.Equal(new byte[] { 10, 0, 0, 0, 107, 3, 0, 1, 0, (byte)'x' }, StyxMessageWriter.ToArray(new Rerror(3, "x", Errno.EACCES), Dialect.Styx2000));
    }

    [Fact]
    public void Twalk_and_Tattach_bytes_match_the_spec_layout()
    {
        Assert.Equal(new byte[] { 24, 0, 0, 0, 110, 2, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0, (byte)'a', 2, 0, (byte)'b', (byte)'c' },
            StyxMessageWriter.ToArray(new Twalk(2, 1, 2, ["a", "bc"]), Dialect.Styx2000));
        // 9P2000.u attach: fid afid uname aname n_uname
        Assert.Equal(new byte[] { 26, 0, 0, 0, 104, 1, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 0, (byte)'u', 2, 0, (byte)'/', (byte)'a', 0xE8, 3, 0, 0 },
            StyxMessageWriter.ToArray(new Tattach(1, 1, StyxConstants.NoFid, "u", "/a", 1000), Dialect.Unix));
        Assert.Equal(22, StyxMessageWriter.ToArray(new Tattach(1, 1, StyxConstants.NoFid, "u", "/a", 1000), Dialect.Styx2000).Length);
    }

    [Fact]
    public void Rgetattr_and_Tlock_have_the_kernel_sizes()
    {
        Assert.Equal(7 + 153, StyxMessageWriter.ToArray(new Rgetattr(0, 0, default, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Dialect.Linux).Length);
        Assert.Equal(7 + 60, StyxMessageWriter.ToArray(new Tsetattr(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Dialect.Linux).Length);
        Assert.Equal(7 + 29 + 2, StyxMessageWriter.ToArray(new Tlock(0, 0, 0, 0, 0, 0, 0, ""), Dialect.Linux).Length);
        Assert.Equal(7 + 60, StyxMessageWriter.ToArray(new Rstatfs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), Dialect.Linux).Length);
    }

    [Fact]
    public void Frames_split_across_segments_and_batched_frames_parse()
    {
        var one = StyxMessageWriter.ToArray(new Tread(1, 2, 3, 4), Dialect.Linux);
        var two = StyxMessageWriter.ToArray(new Twalk(2, 1, 2, ["x"]), Dialect.Linux);
        var all = one.Concat(two).ToArray();
        var sequence = Segments.Of(all, 3);
        var reader = new StyxMessageReader(Dialect.Linux);
        var messages = new List<Message>();
        var input = sequence;
        while (true)
        {
            var consumed = input.Start;
            var examined = input.End;
            if (!reader.TryParseMessage(input, ref consumed, ref examined, out var message)) break;
            messages.Add(message);
            input = input.Slice(consumed);
        }
        Assert.Equal([MessageType.Tread, MessageType.Twalk], messages.Select(m => m.Type));
        Assert.Equal(0, input.Length);
    }

    [Fact]
    public void Incomplete_frame_asks_for_more()
    {
        var bytes = StyxMessageWriter.ToArray(new Tread(1, 2, 3, 4), Dialect.Linux);
        var reader = new StyxMessageReader(Dialect.Linux);
        for (int length = 0; length < bytes.Length; length++)
        {
            var input = new ReadOnlySequence<byte>(bytes, 0, length);
            var consumed = input.Start;
            var examined = input.Start;
            Assert.False(reader.TryParseMessage(input, ref consumed, ref examined, out _));
            Assert.Equal(input.Start, consumed);
            Assert.Equal(input.End, examined);
        }
    }

    [Fact]
    public void Malformed_frames_raise_protocol_errors_with_the_tag()
    {
        var reader = new StyxMessageReader(Dialect.Linux, 8192);
        var tooSmall = new byte[] { 6, 0, 0, 0, 100, 1, 0 };
        var e1 = Assert.Throws<StyxProtocolException>(() => Parse(reader, tooSmall));
        Assert.False(e1.FrameSkipped);

        var tooBig = new byte[] { 0x01, 0x40, 0, 0, 116, 9, 0 };
        var e2 = Assert.Throws<StyxProtocolException>(() => Parse(reader, tooBig));
        Assert.Equal((ushort)9, e2.Tag);
        Assert.False(e2.FrameSkipped);

        var unknown = new byte[] { 7, 0, 0, 0, 200, 5, 0 };
        var e3 = Assert.Throws<StyxProtocolException>(() => Parse(reader, unknown));
        Assert.Equal((ushort)5, e3.Tag);
        Assert.True(e3.FrameSkipped);

        var badString = StyxMessageWriter.ToArray(new Twalk(7, 1, 2, ["abc"]), Dialect.Linux);
        badString[17] = 200; // name length far past the frame end
        var e4 = Assert.Throws<StyxProtocolException>(() => Parse(reader, badString));
        Assert.Equal((ushort)7, e4.Tag);
        Assert.True(e4.FrameSkipped);

        var walk17 = StyxMessageWriter.ToArray(new Twalk(8, 1, 2, Enumerable.Repeat("a", 16).ToArray()), Dialect.Linux);
        walk17[15] = 17;
        var e5 = Assert.Throws<StyxProtocolException>(() => Parse(reader, walk17));
        Assert.Equal((ushort)8, e5.Tag);

        var badCount = StyxMessageWriter.ToArray(new Twrite(9, 1, 0, new byte[] { 1, 2 }), Dialect.Linux);
        badCount[19] = 0x7F; // count says far more than the frame holds
        Assert.Throws<StyxProtocolException>(() => Parse(reader, badCount));
    }

    [Fact]
    public void Writer_refuses_messages_larger_than_msize()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var e = Assert.Throws<StyxProtocolException>(() =>
            StyxMessageWriter.Write(buffer, new Rread(3, new byte[9000]), Dialect.Linux, 8192));
        Assert.Equal((ushort)3, e.Tag);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void Version_negotiation_rule()
    {
        Assert.Equal(Dialect.Styx2000, DialectNames.Negotiate("9P2000"));
        Assert.Equal(Dialect.Unix, DialectNames.Negotiate("9P2000.u"));
        Assert.Equal(Dialect.Linux, DialectNames.Negotiate("9P2000.L"));
        Assert.Equal(Dialect.Styx2000, DialectNames.Negotiate("9P2000.e"));
        Assert.Null(DialectNames.Negotiate("9P1"));
        Assert.Null(DialectNames.Negotiate(""));
    }

    internal static Message Parse(byte[] bytes, Dialect dialect) => Parse(new StyxMessageReader(dialect), bytes);

    internal static Message Parse(StyxMessageReader reader, byte[] bytes)
    {
        var input = new ReadOnlySequence<byte>(bytes);
        var consumed = input.Start;
        var examined = input.End;
        Assert.True(reader.TryParseMessage(input, ref consumed, ref examined, out var message));
        Assert.Equal(input.End, consumed);
        return message;
    }
}
