using System.Buffers.Binary;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.StyxClient.Tests.Links;

/// <summary>The link spliced onto styx-provider: what passes through untouched, what is answered or refused on the link.</summary>
public sealed class SpliceTests(LinkNodeFixture fixture) : IClassFixture<LinkNodeFixture>
{
    private LinkNode Node => fixture.Node;

    private static CancellationToken Timeout => new CancellationTokenSource(LinkNode.Bound).Token;

    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Unix)]
    public async Task A_mebibyte_written_and_read_back_over_the_link_is_the_same_bytes_on_disk(string version)
    {
        var name = $"big-{version}.bin";
        var onDisk = Path.Combine(Node.SharedDirectory, name);
        await File.WriteAllBytesAsync(onDisk, []);
        var written = new byte[1 << 20];
        new Random(1).NextBytes(written);

        await using var fs = await Node.MountAsync(Node.User, "/shared", version, Timeout);
        Assert.Equal(DialectNames.Negotiate(version), fs.Client.Dialect);
        await fs.WriteAsync(name, written, ct: Timeout);
        Assert.Equal(written, await File.ReadAllBytesAsync(onDisk));

        var other = new byte[(1 << 20) + 3];
        new Random(2).NextBytes(other);
        await File.WriteAllBytesAsync(onDisk, other);
        Assert.Equal(other, await fs.ReadAsync(name, Timeout));
    }

    public static TheoryData<string, byte[]> BrokenFrames => new()
    {
        { "frame size 8193 exceeds msize 8192", Header(8193, MessageType.Twrite, 1) },
        { "frame size 3 is smaller than the header", Header(3, MessageType.Tclunk, 1) },
    };

    [Theory]
    [MemberData(nameof(BrokenFrames))]
    public async Task A_frame_breaking_the_framing_closes_the_link_with_a_log_and_the_listener_carries_on(string error, byte[] frame)
    {
        await using (var raw = await RawLink.OpenAsync(Node, DialectNames.Linux, 8192, Timeout))
        {
            await raw.SendBytesAsync(frame, Timeout);
            Assert.Null(await raw.ReceiveAsync(Timeout));
        }
        await Eventually.SucceedsAsync(() =>
        {
            Assert.Contains($"closed: {error}", Node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the broken frame in the log");

        await File.WriteAllTextAsync(Path.Combine(Node.SharedDirectory, "still.txt"), "serving");
        await using var fs = await Node.MountAsync(Node.User, "/shared", ct: Timeout);
        Assert.Equal("serving", await fs.ReadTextAsync("still.txt", Timeout));
    }

    [Fact]
    public async Task Tauth_an_afid_and_a_malformed_Tattach_are_answered_on_the_link_which_then_attaches()
    {
        await using var raw = await RawLink.OpenAsync(Node, DialectNames.Unix, 8192, Timeout);

        await raw.SendAsync(new Tauth(1, 7, "someone", "/shared"), Timeout);
        var auth = Assert.IsType<Rerror>(await raw.ReceiveAsync(Timeout));
        Assert.Equal((1, Errno.ENOENT, "authentication not required for someone"), (auth.Tag, auth.Errno, auth.Ename));

        await raw.SendAsync(new Tattach(2, 1, 7, "someone", "/shared"), Timeout);
        var afid = Assert.IsType<Rerror>(await raw.ReceiveAsync(Timeout));
        Assert.Equal((2, Errno.EINVAL), (afid.Tag, afid.Errno));

        // aname's length runs past the end of the frame.
        var malformed = StyxMessageWriter.ToArray(new Tattach(3, 1, StyxConstants.NoFid, "u", "/shared"), Dialect.Unix);
        BinaryPrimitives.WriteUInt16LittleEndian(malformed.AsSpan(4 + 1 + 2 + 4 + 4 + 2 + 1), 500);
        await raw.SendBytesAsync(malformed, Timeout);
        var eproto = Assert.IsType<Rerror>(await raw.ReceiveAsync(Timeout));
        Assert.Equal((3, Errno.EPROTO), (eproto.Tag, eproto.Errno));

        await raw.SendAsync(new Tattach(4, 1, StyxConstants.NoFid, "whoever", "/shared/"), Timeout);
        Assert.Equal((ushort)4, Assert.IsType<Rattach>(await raw.ReceiveAsync(Timeout)).Tag);
        await Eventually.SucceedsAsync(() =>
        {
            Assert.Contains($"(uid {Node.User.Uid}) attached /shared", Node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the attach in the log");
    }

    private static byte[] Header(uint size, MessageType type, ushort tag)
    {
        var bytes = new byte[7];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, size);
        bytes[4] = (byte)type;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(5), tag);
        return bytes;
    }
}
