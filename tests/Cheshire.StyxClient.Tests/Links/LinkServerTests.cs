using System.Net.Sockets;
using System.Text;
using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxClient.Tests.Links;

public sealed class LinkNodeFixture : IAsyncLifetime
{
    public LinkNode Node { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Node = await LinkNode.StartAsync();

    public async ValueTask DisposeAsync() => await Node.DisposeAsync();
}

/// <summary>styx-client's link listener as another node sees it: real processes, real TLS on a loopback port.</summary>
public sealed class LinkServerTests(LinkNodeFixture fixture) : IClassFixture<LinkNodeFixture>
{
    private LinkNode Node => fixture.Node;

    private static CancellationToken Timeout => new CancellationTokenSource(LinkNode.Bound).Token;

    [Fact]
    public async Task Another_node_of_the_owner_reads_and_writes_the_export_over_the_link()
    {
        await File.WriteAllTextAsync(Path.Combine(Node.SharedDirectory, "hello.txt"), "written on disk");

        await using var fs = await Node.MountAsync(Node.User, "/shared", ct: Timeout);
        Assert.Equal("written on disk", await fs.ReadTextAsync("hello.txt", Timeout));
        Assert.Contains("hello.txt", await fs.ListAsync("", Timeout));

        var fid = await fs.WalkAsync("", Timeout);
        await fs.Client.LcreateAsync(fid, "reply.txt", LinuxOpenFlags.WriteOnly, 0b110_100_100, ct: Timeout);
        await fs.Client.WriteAllAsync(fid, 0, Encoding.UTF8.GetBytes("written over the link"), Timeout);
        await fs.Client.ClunkAsync(fid, Timeout);
        Assert.Equal("written over the link", await File.ReadAllTextAsync(Path.Combine(Node.SharedDirectory, "reply.txt")));
    }

    [Fact]
    public async Task Another_uid_is_refused_with_the_reason_when_the_export_has_no_allow_list()
    {
        using var stranger = UserIdentity.Generate();
        var e = await Assert.ThrowsAsync<StyxErrorException>(() =>
            Node.MountAsync(stranger, "/shared", DialectNames.Unix, Timeout));
        Assert.Equal(Errno.EACCES, e.Errno);
        Assert.Equal($"attach refused: uid {stranger.Uid} may not attach /shared (owner {Node.User.Uid}; no allow list: owner only)", e.Message);

        // 9P2000.L carries only the errno; the reason is in styx-client's log.
        var linux = await Assert.ThrowsAsync<StyxErrorException>(() => Node.MountAsync(stranger, "/shared", ct: Timeout));
        Assert.Equal(Errno.EACCES, linux.Errno);
        await Cheshire.Testing.Eventually.SucceedsAsync(() =>
        {
            Assert.Contains($"attach refused: uid {stranger.Uid} may not attach /shared", Node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the refusal in the log");
    }

    [Fact]
    public async Task Any_uid_attaches_an_export_that_allows_everyone()
    {
        await File.WriteAllTextAsync(Path.Combine(Node.OpenDirectory, "notice.txt"), "for everyone");
        using var stranger = UserIdentity.Generate();
        await using var fs = await Node.MountAsync(stranger, "/open", ct: Timeout);
        Assert.Equal("for everyone", await fs.ReadTextAsync("notice.txt", Timeout));
    }

    [Fact]
    public async Task Paths_that_are_not_exports_are_refused_including_the_nodes_control_trees()
    {
        foreach (var path in new[] { "/dht", "/nothing", "/" })
        {
            var e = await Assert.ThrowsAsync<StyxErrorException>(() => Node.MountAsync(Node.User, path, DialectNames.Unix, Timeout));
            Assert.Equal(Errno.ENOENT, e.Errno);
            Assert.StartsWith("attach refused: ", e.Message);
        }
    }

    [Fact]
    public async Task A_dialer_expecting_another_node_id_refuses_the_link()
    {
        using var me = NodeIdentity.Generate();
        using var credentials = LinkCredentials.Create(me, Node.User);
        var other = NodeIdentity.Generate().NodeId;
        var e = await Assert.ThrowsAsync<LinkAuthenticationException>(() => Node.ConnectAsync(credentials, other, Timeout));
        Assert.Equal(LinkFailure.WrongNodeId, e.Failure);
        Assert.Contains(Convert.ToHexStringLower(Node.NodeId), e.Message);
    }

    [Fact]
    public async Task Garbage_instead_of_TLS_is_closed_and_logged_and_the_next_link_works()
    {
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", Node.LinkPort, Timeout);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + new string('\0', 300)), Timeout);
            // styx-client hangs up on it (0 bytes, or a reset).
            var buffer = new byte[4096];
            try
            {
                while (await stream.ReadAsync(buffer, Timeout) > 0) { }
            }
            catch (IOException)
            {
            }
        }
        await Cheshire.Testing.Eventually.SucceedsAsync(() =>
        {
            Assert.Contains("refused (Handshake)", Node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the refused link in the log");

        Assert.False(Node.Client.HasExited);
        await File.WriteAllTextAsync(Path.Combine(Node.SharedDirectory, "after.txt"), "still serving");
        await using var fs = await Node.MountAsync(Node.User, "/shared", ct: Timeout);
        Assert.Equal("still serving", await fs.ReadTextAsync("after.txt", Timeout));
    }
}
