using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxClient.Tests.Links;

public sealed class ProviderRestartTests
{
    [Fact]
    public async Task After_styx_provider_restarts_the_same_link_attaches_the_export_again()
    {
        await using var node = await LinkNode.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(node.SharedDirectory, "before.txt"), "one");
        using var cts = new CancellationTokenSource(LinkNode.Bound);
        await using var fs = await node.MountAsync(node.User, "/shared", ct: cts.Token);
        Assert.Equal("one", await fs.ReadTextAsync("before.txt", cts.Token));

        await node.RestartProviderAsync();
        await File.WriteAllTextAsync(Path.Combine(node.SharedDirectory, "after.txt"), "two");

        // A new Tattach on the link that is still open reaches the new provider.
        var root = fs.Client.NewFid();
        await fs.Client.AttachAsync(root, node.User.Uid, "/shared", ct: cts.Token);
        var again = new StyxFs(fs.Client, root);
        Assert.Equal("two", await again.ReadTextAsync("after.txt", cts.Token));
    }

    [Fact]
    public async Task While_styx_provider_is_down_an_attach_fails_saying_so_and_works_once_it_is_back()
    {
        await using var node = await LinkNode.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(node.SharedDirectory, "file.txt"), "back");
        using var cts = new CancellationTokenSource(LinkNode.Bound);
        await node.Provider.KillAsync();

        var e = await Assert.ThrowsAsync<StyxErrorException>(() => node.MountAsync(node.User, "/shared", DialectNames.Unix, cts.Token));
        Assert.Equal(Errno.EIO, e.Errno);
        Assert.StartsWith("cannot list this node's exports: styx-provider answered Unavailable", e.Message);

        await node.RestartProviderAsync();
        await using var fs = await node.MountAsync(node.User, "/shared", ct: cts.Token);
        Assert.Equal("back", await fs.ReadTextAsync("file.txt", cts.Token));
    }
}
