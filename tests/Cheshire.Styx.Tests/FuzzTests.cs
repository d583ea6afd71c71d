using System.Buffers;
using System.IO.Pipelines;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Server;

namespace Cheshire.Styx.Tests;

public sealed class FuzzTests
{
    [Theory]
    [InlineData(Dialect.Styx2000, 1)]
    [InlineData(Dialect.Unix, 2)]
    [InlineData(Dialect.Linux, 3)]
    public void Decoder_survives_40000_hostile_frames(Dialect dialect, int seed)
    {
        var mutator = new FrameMutator(seed, dialect);
        var reader = new StyxMessageReader(dialect, 8192);
        int parsed = 0, rejected = 0;
        for (int i = 0; i < 40_000; i++)
        {
            var input = new ReadOnlySequence<byte>(mutator.Next());
            while (input.Length > 0)
            {
                var consumed = input.Start;
                var examined = input.End;
                try
                {
                    if (!reader.TryParseMessage(input, ref consumed, ref examined, out var message)) break;
                    message.Release();
                    parsed++;
                    Assert.NotEqual(input.Start, consumed);
                }
                catch (StyxProtocolException e)
                {
                    rejected++;
                    if (!e.FrameSkipped) break;
                    Assert.NotNull(e.Tag);
                }
                input = input.Slice(consumed);
            }
        }
        Assert.True(parsed > 1000 && rejected > 1000, $"parsed {parsed}, rejected {rejected}");
    }

    [Theory]
    [InlineData(DialectNames.Linux, 11)]
    [InlineData(DialectNames.Unix, 12)]
    [InlineData(DialectNames.Styx2000, 13)]
    public async Task Live_session_survives_hostile_frames(string version, int seed)
    {
        var dialect = DialectNames.Negotiate(version)!.Value;
        var mutator = new FrameMutator(seed, dialect, requestsOnly: true);
        var fs = new RamFileSystem(capacityBytes: 16 << 20, maxFileBytes: 1 << 20);
        var setup = new Message[]
        {
            new Tversion(StyxConstants.NoTag, 8192, version),
            new Tattach(1, 1, StyxConstants.NoFid, "glenda", "", 0),
            new Twalk(2, 1, 2, []),
            new Tcreate(3, 2, "file", 0x1A4, StyxOpenMode.ReadWrite),
            new Tlcreate(3, 2, "lfile", LinuxOpenFlags.ReadWrite, 0x1A4, 0),
        };
        int closedEarly = 0, delivered = 0;
        var why = new List<string>();
        for (int connection = 0; connection < 70; connection++)
        {
            var toServer = new Pipe();
            var toClient = new Pipe();
            var server = new StyxServerConnection(new TestDuplexPipe(toServer.Reader, toClient.Writer), fs,
                new StyxServerOptions { MaxMessageSize = 8192, MaxConcurrentRequests = 8 });
            var run = server.RunAsync();
            var drain = DrainAsync(toClient.Reader);

            bool open = true;
            foreach (var message in setup) open &= await SendAsync(toServer.Writer, StyxMessageWriter.ToArray(message, dialect));
            for (int i = 0; i < 500 && open; i++)
                if (open = await SendAsync(toServer.Writer, mutator.Next())) delivered++;
            if (!open)
            {
                closedEarly++;
                if (why.Count < 5) why.Add(server.ProtocolError?.Message ?? "closed without a protocol error");
            }
            await toServer.Writer.CompleteAsync();

            await run.WaitAsync(TimeSpan.FromSeconds(10));
            await drain.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, server.Session.FidCount);
        }
        // Hostile sizes close a connection (as they must), so how many connections end early depends on how soon the
        // writer sees it; what shows the fuzz reached the session is the number of mutated frames it took first.
        TestContext.Current.TestOutputHelper?.WriteLine($"{delivered} mutated frames delivered, {closedEarly} of 70 connections closed early");
        Assert.True(delivered >= 200, $"only {delivered} mutated frames reached the session; the fuzz did not exercise it: " + string.Join("; ", why));
    }

    private static async Task<bool> SendAsync(PipeWriter writer, byte[] frame)
    {
        var result = await writer.WriteAsync(frame);
        return !result.IsCompleted;
    }

    private static async Task DrainAsync(PipeReader reader)
    {
        while (true)
        {
            var result = await reader.ReadAsync();
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted) break;
        }
        await reader.CompleteAsync();
    }

    private sealed class TestDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
