using System.Buffers;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.Styx.Tests.Relay;

public sealed class FrameHeaderTests
{
    [Fact]
    public void A_header_split_over_one_byte_segments_is_read_once_all_seven_bytes_are_there()
    {
        var frame = StyxMessageWriter.ToArray(new Tclunk(0x1234, 7), Dialect.Linux);
        for (int length = 0; length < FrameHeader.Length; length++)
            Assert.False(FrameHeader.TryRead(Segments.Of(frame.AsSpan(0, length).ToArray(), 1), 8192, out _));

        Assert.True(FrameHeader.TryRead(Segments.Of(frame, 1), 8192, out var header));
        Assert.Equal(new FrameHeader(11, MessageType.Tclunk, 0x1234), header);
        Assert.Equal(4u, header.BodySize);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(6u)]
    public void A_size_below_the_header_is_refused_as_soon_as_the_size_is_readable(uint size)
    {
        var bytes = BitConverter.GetBytes(size);
        var e = Assert.Throws<StyxProtocolException>(() => FrameHeader.TryRead(Segments.Of(bytes, 3), 8192, out _));
        Assert.Equal($"frame size {size} is smaller than the header", e.Message);
        Assert.False(e.FrameSkipped);
    }

    [Fact]
    public void A_size_above_msize_is_refused_with_the_tag()
    {
        var frame = StyxMessageWriter.ToArray(new Tread(9, 1, 0, 8192), Dialect.Linux);
        var e = Assert.Throws<StyxProtocolException>(() => FrameHeader.TryRead(new ReadOnlySequence<byte>(frame), 22, out _));
        Assert.Equal("frame size 23 exceeds msize 22", e.Message);
        Assert.Equal((ushort)9, e.Tag);
        Assert.True(FrameHeader.TryRead(new ReadOnlySequence<byte>(frame), 23, out _));
    }

    [Fact]
    public void Write_puts_back_the_same_bytes_with_another_tag()
    {
        var frame = StyxMessageWriter.ToArray(new Tclunk(3, 7), Dialect.Linux);
        Assert.True(FrameHeader.TryRead(new ReadOnlySequence<byte>(frame), 8192, out var header));
        (header with { Tag = 5 }).Write(frame);
        Assert.Equal(StyxMessageWriter.ToArray(new Tclunk(5, 7), Dialect.Linux), frame);
    }
}
