using Cheshire.Identity;
using Cheshire.Link;

namespace Cheshire.StyxClient.Tests.Links;

public sealed class IdleLinkTests
{
    [Fact]
    public async Task A_link_without_traffic_is_closed_after_Link_IdleSeconds()
    {
        await using var node = await LinkNode.StartAsync(new Dictionary<string, string> { ["Link:IdleSeconds"] = "1" });
        using var me = NodeIdentity.Generate();
        using var credentials = LinkCredentials.Create(me, node.User);
        using var cts = new CancellationTokenSource(LinkNode.Bound);
        // Taken before the handshake: the server's last byte (its acceptance) comes after it.
        var started = DateTime.UtcNow;
        await using var link = await node.ConnectAsync(credentials, ct: cts.Token);

        var buffer = new byte[1];
        int read;
        try
        {
            read = await link.Stream.ReadAsync(buffer, cts.Token);
        }
        catch (IOException)
        {
            read = 0;
        }
        Assert.Equal(0, read);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "closed before it was idle for a second");
        await Cheshire.Testing.Eventually.SucceedsAsync(() =>
        {
            Assert.Contains("closed after 00:00:01 idle", node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the idle close in the log");
    }
}
