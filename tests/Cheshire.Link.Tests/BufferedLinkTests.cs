using System.Security.Cryptography;

namespace Cheshire.Link.Tests;

public sealed class BufferedLinkTests
{
    [Fact]
    public async Task BufferedLinkCarriesAMebibyteEachWayInAFewSends()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var options = new LinkOptions { BufferSize = 256 * 1024 };
        var (dialerTcp, acceptorTcp) = await Loopback.PairAsync();
        var dialerTransport = new CallCountingStream(dialerTcp);
        var accepting = LinkStream.AcceptAsync(acceptorTcp, bob.Credentials, options, ct);
        await using var dialer = await LinkStream.ConnectAsync(dialerTransport, alice.Credentials, bob.Node.NodeId, options, ct);
        await using var acceptor = await accepting;
        var data = RandomNumberGenerator.GetBytes(1024 * 1024);

        var writesBefore = dialerTransport.Writes;
        var sending = Task.Run(async () =>
        {
            for (var offset = 0; offset < data.Length; offset += 64 * 1024)
                await dialer.Stream.WriteAsync(data.AsMemory(offset, 64 * 1024), ct);
            await dialer.Stream.FlushAsync(ct);
        }, ct);
        var received = new byte[data.Length];
        await acceptor.Stream.ReadExactlyAsync(received, ct);
        await sending;
        var echoing = Task.Run(async () =>
        {
            await acceptor.Stream.WriteAsync(received, ct);
            await acceptor.Stream.FlushAsync(ct);
        }, ct);
        var echoed = new byte[data.Length];
        await dialer.Stream.ReadExactlyAsync(echoed, ct);
        await echoing;

        Assert.Equal(data, received);
        Assert.Equal(data, echoed);
        // 1 MiB is at least 64 TLS records; gathered in 256 KiB, they leave in about five sends.
        Assert.InRange(dialerTransport.Writes - writesBefore, 1, 8);
    }

    [Fact]
    public async Task WritesWaitForTheFlushOnceCoalescing()
    {
        var ct = TestContext.Current.CancellationToken;
        var inner = new CallCountingStream(new MemoryStream());
        await using var transport = new LinkTransport(inner, LinkOptions.MinBufferSize);

        await transport.WriteAsync(new byte[100], ct);
        Assert.Equal(1, inner.Writes); // during the handshake, straight through

        transport.Coalescing = true;
        for (var i = 0; i < 3; i++) await transport.WriteAsync(new byte[1000], ct);
        Assert.Equal(1, inner.Writes);
        await transport.FlushAsync(ct);
        Assert.Equal(2, inner.Writes);
        Assert.Equal(3100, inner.BytesWritten);

        // More than the buffer holds: what was gathered goes first, then the large write straight through.
        await transport.WriteAsync(new byte[10], ct);
        await transport.WriteAsync(new byte[LinkOptions.MinBufferSize], ct);
        Assert.Equal(4, inner.Writes);
        Assert.Equal(3110 + LinkOptions.MinBufferSize, inner.BytesWritten);
    }

    [Fact]
    public async Task ReadsAreServedFromOneLargeReceive()
    {
        var ct = TestContext.Current.CancellationToken;
        var data = RandomNumberGenerator.GetBytes(40_000);
        var inner = new CallCountingStream(new MemoryStream(data));
        await using var transport = new LinkTransport(inner, 64 * 1024);

        var read = new byte[data.Length];
        for (var offset = 0; offset < data.Length; offset += 5000)
            Assert.Equal(5000, await transport.ReadAsync(read.AsMemory(offset, 5000), ct));

        Assert.Equal(data, read);
        Assert.Equal(1, inner.Reads);
        Assert.Equal(0, await transport.ReadAsync(new byte[10], ct));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(LinkOptions.MinBufferSize - 1)]
    [InlineData(LinkOptions.MaxBufferSize + 1)]
    public void ABufferSizeOutOfRangeIsRefusedByName(int size)
    {
        var e = Assert.Throws<ArgumentException>(() => new LinkOptions { BufferSize = size }.Validate());
        Assert.Contains("LinkOptions.BufferSize", e.Message, StringComparison.Ordinal);
        Assert.Contains(size.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
    }

    /// <summary>A stream passed through, counting the read and write calls that reach it.</summary>
    private sealed class CallCountingStream(Stream inner) : TransportStream(inner)
    {
        public int Reads { get; private set; }
        public int Writes { get; private set; }
        public long BytesWritten { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            return await Inner.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(Span<byte> buffer)
        {
            Reads++;
            return Inner.Read(buffer);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes++;
            BytesWritten += buffer.Length;
            await Inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            BytesWritten += buffer.Length;
            Inner.Write(buffer);
        }
    }
}
