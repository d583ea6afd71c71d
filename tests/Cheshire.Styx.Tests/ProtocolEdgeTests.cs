using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.FileSystem.Synthetic;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests;

public sealed class ProtocolEdgeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private static async Task<RawConnection> OpenAsync(LoopbackServer server, uint msize = 8192)
    {
        var raw = new RawConnection(await server.ConnectSocketAsync());
        await raw.SendAsync(new Tversion(StyxConstants.NoTag, msize, DialectNames.Linux));
        Assert.IsType<Rversion>(await raw.RequireAsync(Wait));
        await raw.SendAsync(new Tattach(1, 1, StyxConstants.NoFid, "glenda", "", 0));
        Assert.IsType<Rattach>(await raw.RequireAsync(Wait));
        return raw;
    }

    [Fact]
    public async Task Flushed_request_gets_no_reply_and_Rflush_follows()
    {
        var fs = new SlowFileSystem();
        await using var server = new LoopbackServer(fs);
        await using var raw = await OpenAsync(server);
        await raw.SendAsync(new Twalk(2, 1, 2, ["slow"]));
        Assert.IsType<Rwalk>(await raw.RequireAsync(Wait));
        await raw.SendAsync(new Tlopen(3, 2, LinuxOpenFlags.ReadOnly));
        Assert.IsType<Rlopen>(await raw.RequireAsync(Wait));

        await raw.SendAsync(new Tread(5, 2, 0, 100));
        Assert.Null(await raw.ReceiveAsync(Quiet)); // still blocked
        await raw.SendAsync(new Tflush(6, 5));
        var flushed = Assert.IsType<Rflush>(await raw.RequireAsync(Wait));
        Assert.Equal((ushort)6, flushed.Tag);
        Assert.Null(await raw.ReceiveAsync(Quiet)); // the read never answers
        Assert.Equal(1, fs.CancelledReads);

        await raw.SendAsync(new Tflush(7, 99)); // flushing an unknown tag answers at once
        Assert.Equal((ushort)7, Assert.IsType<Rflush>(await raw.RequireAsync(Wait)).Tag);
        await raw.SendAsync(new Tclunk(5, 2)); // tag 5 is free again
        Assert.Equal((ushort)5, Assert.IsType<Rclunk>(await raw.RequireAsync(Wait)).Tag);
    }

    [Fact]
    public async Task Client_cancellation_sends_Tflush()
    {
        var fs = new SlowFileSystem();
        await using var server = new LoopbackServer(fs);
        await using var client = await server.ConnectAsync();
        await client.AttachAsync(1, "glenda", "");
        await client.WalkAsync(1, 2, ["slow"]);
        await client.LopenAsync(2, LinuxOpenFlags.ReadOnly);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadAsync(2, 0, new byte[10], cts.Token));
        Assert.Equal(1, fs.CancelledReads);
        await client.ClunkAsync(2);
    }

    [Fact]
    public async Task Walk_of_more_than_16_names_is_an_error_and_the_connection_survives()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var raw = await OpenAsync(server);
        await raw.SendAsync(new Twalk(9, 1, 2, Enumerable.Repeat("a", 17).ToArray()));
        var error = Assert.IsType<Rlerror>(await raw.RequireAsync(Wait));
        Assert.Equal((ushort)9, error.Tag);
        Assert.Equal(Errno.EPROTO, error.Errno);
        await raw.SendAsync(new Twalk(10, 1, 2, []));
        Assert.IsType<Rwalk>(await raw.RequireAsync(Wait));
    }

    [Fact]
    public async Task Unknown_message_type_gets_an_error_for_its_tag()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var raw = await OpenAsync(server);
        await raw.SendBytesAsync([9, 0, 0, 0, 200, 4, 0, 1, 2]);
        Assert.Equal((ushort)4, Assert.IsType<Rlerror>(await raw.RequireAsync(Wait)).Tag);
    }

    [Fact]
    public async Task Frame_larger_than_msize_closes_the_connection()
    {
        await using var server = new LoopbackServer(new RamFileSystem());
        await using var raw = await OpenAsync(server, 8192);
        await raw.SendAsync(new Twalk(2, 1, 2, []));
        Assert.IsType<Rwalk>(await raw.RequireAsync(Wait));
        await raw.SendAsync(new Twrite(3, 2, 0, new byte[9000]));
        Assert.Null(await raw.ReceiveAsync(Wait));
    }

    [Fact]
    public async Task Reads_are_clamped_to_msize()
    {
        var fs = new RamFileSystem();
        await using var server = new LoopbackServer(fs);
        await using var raw = await OpenAsync(server, 4096);
        await raw.SendAsync(new Tlcreate(2, 1, "f", LinuxOpenFlags.ReadWrite, 0x1A4, 0));
        Assert.IsType<Rlcreate>(await raw.RequireAsync(Wait));
        await raw.SendAsync(new Twrite(3, 1, 0, new byte[4000]));
        Assert.IsType<Rwrite>(await raw.RequireAsync(Wait));
        await raw.SendAsync(new Twrite(3, 1, 4000, new byte[4000]));
        Assert.IsType<Rwrite>(await raw.RequireAsync(Wait));
        await raw.SendAsync(new Tread(4, 1, 0, 1_000_000));
        var read = Assert.IsType<Rread>(await raw.RequireAsync(Wait));
        Assert.Equal(4096 - 11, read.Data.Length);
    }

    [Fact]
    public async Task Duplicate_tag_in_flight_closes_the_connection()
    {
        var fs = new SlowFileSystem();
        await using var server = new LoopbackServer(fs);
        await using var raw = await OpenAsync(server);
        await raw.SendAsync(new Twalk(2, 1, 2, ["slow"]));
        await raw.RequireAsync(Wait);
        await raw.SendAsync(new Tlopen(3, 2, 0));
        await raw.RequireAsync(Wait);
        await raw.SendAsync(new Tread(5, 2, 0, 10));
        await raw.SendAsync(new Tread(5, 2, 0, 10));
        Assert.Null(await raw.ReceiveAsync(Wait));
    }

    [Fact]
    public async Task Synthetic_tree_serves_generated_and_control_files()
    {
        int counter = 0;
        var commands = new List<string>();
        var root = new SyntheticDirectory("/");
        root.AddFile("counter", () => $"{++counter}\n");
        root.AddDirectory("node").AddFile("id", () => "abc\n");
        root.AddControl("ctl", () => "ready\n", commands.Add);
        await using var server = new LoopbackServer(root);
        await using var client = await server.ConnectAsync(DialectNames.Styx2000);
        await client.AttachAsync(1, "glenda", "");

        await client.WalkAsync(1, 2, ["counter"]);
        await client.OpenAsync(2, StyxOpenMode.Read);
        Assert.Equal("1\n"u8.ToArray(), await client.ReadAllAsync(2));
        await client.WalkAsync(1, 3, ["node", "id"]);
        await client.OpenAsync(3, StyxOpenMode.Read);
        Assert.Equal("abc\n"u8.ToArray(), await client.ReadAllAsync(3));
        await client.WalkAsync(1, 4, ["ctl"]);
        await client.OpenAsync(4, StyxOpenMode.ReadWrite | StyxOpenMode.Truncate);
        await client.WriteAsync(4, 0, "restart\n"u8.ToArray());
        Assert.Equal(["restart\n"], commands);

        await client.WalkAsync(1, 5, ["counter"]);
        Assert.Equal(Errno.EACCES, (await Assert.ThrowsAsync<StyxErrorException>(() => client.OpenAsync(5, StyxOpenMode.Write))).Errno);
        await client.WalkAsync(1, 6, []);
        Assert.Equal(Errno.EROFS, (await Assert.ThrowsAsync<StyxErrorException>(() => client.CreateAsync(6, "x", 0x1A4, StyxOpenMode.Write))).Errno);
        await client.OpenAsync(6, StyxOpenMode.Read);
        var buffer = new byte[4096];
        int read = await client.ReadAsync(6, 0, buffer);
        Assert.Equal(["counter", "node", "ctl"], StatEntry.ReadDirectory(buffer.AsSpan(0, read), client.Dialect).Select(s => s.Name));
    }
}
