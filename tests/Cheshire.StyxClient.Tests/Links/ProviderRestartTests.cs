using System.Text;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.StyxClient.Tests.Links;

/// <summary>Each link is spliced onto its own styx-provider connection: when that ends, the link ends and the peer dials again.</summary>
public sealed class ProviderRestartTests
{
    [Fact]
    public async Task When_styx_provider_restarts_the_link_is_closed_saying_so_and_the_next_link_attaches_again()
    {
        await using var node = await LinkNode.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(node.SharedDirectory, "before.txt"), "one");
        using var cts = new CancellationTokenSource(LinkNode.Bound);
        await using var fs = await node.MountAsync(node.User, "/shared", ct: cts.Token);
        Assert.Equal("one", await fs.ReadTextAsync("before.txt", cts.Token));

        await node.RestartProviderAsync();
        await Eventually.SucceedsAsync(() =>
        {
            Assert.False(fs.Client.IsConnected);
            Assert.Contains("closed: styx-provider", node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the link closed after the provider restart");
        await Assert.ThrowsAsync<IOException>(() => fs.ReadTextAsync("before.txt", cts.Token));

        await File.WriteAllTextAsync(Path.Combine(node.SharedDirectory, "after.txt"), "two");
        await using var again = await node.MountAsync(node.User, "/shared", DialectNames.Unix, cts.Token);
        Assert.Equal("two", await again.ReadTextAsync("after.txt", cts.Token));
        await again.WriteAsync("after.txt", Encoding.UTF8.GetBytes("three"), ct: cts.Token);
        Assert.Equal("three", await File.ReadAllTextAsync(Path.Combine(node.SharedDirectory, "after.txt"), cts.Token));
    }

    [Fact]
    public async Task While_styx_provider_is_down_links_are_closed_saying_so_and_work_once_it_is_back()
    {
        await using var node = await LinkNode.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(node.SharedDirectory, "file.txt"), "back");
        using var cts = new CancellationTokenSource(LinkNode.Bound);
        await node.Provider.KillAsync();

        await Assert.ThrowsAsync<IOException>(() => node.MountAsync(node.User, "/shared", DialectNames.Unix, cts.Token));
        await Eventually.SucceedsAsync(() =>
        {
            Assert.Contains("closed: cannot reach styx-provider at ", node.Client.Output);
            return Task.FromResult(true);
        }, LinkNode.Bound, "the closed link in the log");

        await node.RestartProviderAsync();
        await using var fs = await node.MountAsync(node.User, "/shared", ct: cts.Token);
        Assert.Equal("back", await fs.ReadTextAsync("file.txt", cts.Token));
    }
}
