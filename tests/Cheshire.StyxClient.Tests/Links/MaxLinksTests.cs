using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.Testing;

namespace Cheshire.StyxClient.Tests.Links;

public sealed class MaxLinksTests
{
    [Fact]
    public async Task A_connection_beyond_Link_MaxLinks_is_closed_and_logged_and_accepted_once_a_link_ends()
    {
        await using var node = await LinkNode.StartAsync(new Dictionary<string, string> { ["Link:MaxLinks"] = "1" });
        using var me = NodeIdentity.Generate();
        using var credentials = LinkCredentials.Create(me, node.User);
        using var cts = new CancellationTokenSource(LinkNode.Bound);

        var first = await node.ConnectAsync(credentials, ct: cts.Token);
        await Assert.ThrowsAsync<LinkAuthenticationException>(() => node.ConnectAsync(credentials, ct: cts.Token));
        await Eventually.SucceedsAsync(() =>
        {
            Assert.Contains("1 links are open (Link:MaxLinks)", node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the refused connection in the log");

        await first.DisposeAsync();
        await using var next = await Eventually.SucceedsAsync(() => node.ConnectAsync(credentials, ct: cts.Token),
            LinkNode.Bound, "a link once the first has ended");
        Assert.Equal(node.NodeId, next.Peer.NodeId);
    }
}
