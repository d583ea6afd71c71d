using System.Buffers;
using System.IO.Pipelines;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.Styx.Tests.Relay;

public sealed class FrameReaderTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task Frames_fed_in_random_pieces_are_copied_whole_and_byte_for_byte()
    {
        var messages = SampleMessages.All().ToList();
        var frames = messages.Select(m => StyxMessageWriter.ToArray(m, Dialect.Linux)).ToList();
        var all = frames.SelectMany(f => f).ToArray();
        var source = new Pipe();
        var destination = new CollectingPipe();
        var feeding = FeedAsync(source.Writer, all, new Random(7), maxPiece: 13);

        var reader = new FrameReader(source.Reader, 8192);
        var headers = new List<FrameHeader>();
        while (await reader.ReadHeaderAsync(Timeout) is { } header)
        {
            headers.Add(header);
            await reader.CopyAsync(destination.Writer, reader.Remaining, Timeout);
            Assert.Equal(0, reader.Remaining);
        }
        await feeding;

        Assert.Equal(messages.Select(m => (m.Type, m.Tag)), headers.Select(h => (h.Type, h.Tag)));
        Assert.Equal(frames.Select(f => (uint)f.Length), headers.Select(h => h.Size));
        Assert.Equal(all, await destination.ToArrayAsync());
    }

    [Fact]
    public async Task A_frame_read_whole_decodes_and_the_next_frame_follows()
    {
        var attach = new Tattach(2, 1, StyxConstants.NoFid, "glenda", "/music", 1000);
        var source = new Pipe();
        await source.Writer.WriteAsync(StyxMessageWriter.ToArray(attach, Dialect.Linux).Concat(StyxMessageWriter.ToArray(new Tclunk(3, 1), Dialect.Linux)).ToArray());
        await source.Writer.CompleteAsync();
        var reader = new FrameReader(source.Reader, 8192);

        var header = await reader.ReadHeaderAsync(Timeout);
        Assert.Equal(MessageType.Tattach, header?.Type);
        Assert.False(reader.HasBufferedFrame, "the current frame is not read yet");
        var frame = await reader.ReadAsync(reader.Remaining, Timeout);
        var consumed = frame.Start;
        var examined = frame.End;
        Assert.True(new StyxMessageReader(Dialect.Linux, 8192).TryParseMessage(frame, ref consumed, ref examined, out var decoded));
        Assert.Equal(attach, decoded);
        Assert.True(reader.HasBufferedFrame);

        Assert.Equal(new FrameHeader(11, MessageType.Tclunk, 3), await reader.ReadHeaderAsync(Timeout));
        var err = await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadHeaderAsync(Timeout).AsTask());
        Assert.Equal("11 bytes of the Tclunk frame are still unread", err.Message);
        await reader.ReadAsync(11, Timeout);
        Assert.Null(await reader.ReadHeaderAsync(Timeout));
    }

    [Fact]
    public async Task A_frame_larger_than_the_destinations_pause_threshold_streams_through_in_chunks()
    {
        // 1 MiB of Rread: the source sends the second half only once the destination has seen bytes of the first,
        // so a copy that held the frame until its end would never finish.
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);
        var frame = StyxMessageWriter.ToArray(new Rread(1, data), Dialect.Linux);
        var source = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var destination = new Pipe(new PipeOptions(pauseWriterThreshold: 256 * 1024, resumeWriterThreshold: 128 * 1024));
        var firstBytes = new TaskCompletionSource();
        var feeding = Task.Run(async () =>
        {
            await source.Writer.WriteAsync(frame.AsMemory(0, frame.Length / 2), Timeout);
            await firstBytes.Task.WaitAsync(Timeout);
            await source.Writer.WriteAsync(frame.AsMemory(frame.Length / 2), Timeout);
            await source.Writer.CompleteAsync();
        });
        var received = Task.Run(async () =>
        {
            using var copy = new MemoryStream();
            while (true)
            {
                var result = await destination.Reader.ReadAsync(Timeout);
                foreach (var segment in result.Buffer) copy.Write(segment.Span);
                destination.Reader.AdvanceTo(result.Buffer.End);
                if (copy.Length > 0) firstBytes.TrySetResult();
                if (result.IsCompleted) return copy.ToArray();
            }
        });

        var reader = new FrameReader(source.Reader, (uint)frame.Length);
        Assert.NotNull(await reader.ReadHeaderAsync(Timeout));
        await reader.CopyAsync(destination.Writer, reader.Remaining, Timeout);
        await destination.Writer.CompleteAsync();
        await feeding;
        Assert.Equal(frame, await received);
    }

    [Fact]
    public async Task The_input_ending_inside_a_frame_or_its_header_is_a_protocol_error_and_between_frames_is_the_end()
    {
        var frame = StyxMessageWriter.ToArray(new Twrite(4, 1, 0, new byte[100]), Dialect.Linux);

        var cut = await ReaderOverAsync(frame[..50]);
        Assert.NotNull(await cut.ReadHeaderAsync(Timeout));
        var e = await Assert.ThrowsAsync<StyxProtocolException>(() => cut.CopyAsync(new Pipe().Writer, cut.Remaining, Timeout).AsTask());
        Assert.Equal("the connection ended within a Twrite frame (73 of its 123 bytes missing)", e.Message);
        Assert.Equal((ushort)4, e.Tag);

        var buffered = await ReaderOverAsync(frame[..50]);
        Assert.NotNull(await buffered.ReadHeaderAsync(Timeout));
        await Assert.ThrowsAsync<StyxProtocolException>(() => buffered.ReadAsync(buffered.Remaining, Timeout).AsTask());

        var header = await ReaderOverAsync(frame[..5]);
        e = await Assert.ThrowsAsync<StyxProtocolException>(() => header.ReadHeaderAsync(Timeout).AsTask());
        Assert.Equal("the connection ended within a frame header (5 of 7 bytes)", e.Message);

        Assert.Null(await (await ReaderOverAsync([])).ReadHeaderAsync(Timeout));
    }

    [Fact]
    public async Task A_frame_above_msize_is_refused_before_its_body_arrives_and_msize_can_change_between_frames()
    {
        var big = StyxMessageWriter.ToArray(new Twrite(6, 1, 0, new byte[1000]), Dialect.Linux);
        var source = new Pipe();
        var clunk = StyxMessageWriter.ToArray(new Tclunk(5, 1), Dialect.Linux);
        await source.Writer.WriteAsync(clunk.Concat(big.Take(FrameHeader.Length)).ToArray()); // the body never comes
        var reader = new FrameReader(source.Reader, StyxConstants.DefaultMessageSize);
        Assert.NotNull(await reader.ReadHeaderAsync(Timeout));
        await reader.ReadAsync(reader.Remaining, Timeout);

        reader.MaxSize = 512;
        var e = await Assert.ThrowsAsync<StyxProtocolException>(() => reader.ReadHeaderAsync(Timeout).AsTask());
        Assert.Equal($"frame size {big.Length} exceeds msize 512", e.Message);
        Assert.Equal((ushort)6, e.Tag);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_bytes_end_cleanly_or_with_a_protocol_error_and_nothing_else(int seed)
    {
        var random = new Random(seed);
        int frames = 0, refused = 0, ended = 0;
        for (int run = 0; run < 2000; run++)
        {
            var bytes = RandomInput(random);
            var reader = await ReaderOverAsync(bytes, random);
            try
            {
                while (await reader.ReadHeaderAsync(Timeout) is not null)
                {
                    if (random.Next(2) == 0) await reader.ReadAsync(reader.Remaining, Timeout);
                    else await reader.CopyAsync(new Pipe(new PipeOptions(pauseWriterThreshold: 0)).Writer, reader.Remaining, Timeout);
                    frames++;
                }
                ended++;
            }
            catch (StyxProtocolException)
            {
                refused++;
            }
        }
        Assert.True(frames > 500 && refused > 500 && ended > 100, $"frames {frames}, refused {refused}, ended {ended}");
    }

    /// <summary>Mostly garbage, often a run of plausible frames (sizes near their lengths) with damage.</summary>
    private static byte[] RandomInput(Random random)
    {
        var output = new List<byte>();
        int count = random.Next(0, 6);
        for (int i = 0; i < count; i++)
        {
            var body = new byte[random.Next(0, 300)];
            random.NextBytes(body);
            var size = (uint)(FrameHeader.Length + body.Length);
            if (random.Next(4) == 0) size = (uint)random.Next(0, 20_000);
            output.AddRange(BitConverter.GetBytes(size));
            output.Add((byte)random.Next(256));
            output.AddRange(BitConverter.GetBytes((ushort)random.Next(65536)));
            output.AddRange(body);
        }
        if (random.Next(3) == 0 && output.Count > 0)
        {
            var cut = random.Next(output.Count);
            output.RemoveRange(cut, output.Count - cut);
        }
        if (random.Next(3) == 0 && output.Count > 0) output.RemoveAt(random.Next(output.Count));
        return [.. output];
    }

    private static async Task<FrameReader> ReaderOverAsync(byte[] bytes, Random? random = null)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await FeedAsync(pipe.Writer, bytes, random ?? new Random(0), maxPiece: 64);
        return new FrameReader(pipe.Reader, 8192);
    }

    private static async Task FeedAsync(PipeWriter writer, byte[] bytes, Random random, int maxPiece)
    {
        for (int offset = 0; offset < bytes.Length;)
        {
            var piece = Math.Min(random.Next(1, maxPiece + 1), bytes.Length - offset);
            await writer.WriteAsync(bytes.AsMemory(offset, piece));
            offset += piece;
        }
        await writer.CompleteAsync();
    }

    /// <summary>A pipe whose reader collects everything written, for comparing bytes.</summary>
    private sealed class CollectingPipe
    {
        private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 0));

        public PipeWriter Writer => _pipe.Writer;

        public async Task<byte[]> ToArrayAsync()
        {
            await _pipe.Writer.CompleteAsync();
            var output = new List<byte>();
            while (true)
            {
                var result = await _pipe.Reader.ReadAsync();
                output.AddRange(result.Buffer.ToArray());
                _pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted) return [.. output];
            }
        }
    }
}
