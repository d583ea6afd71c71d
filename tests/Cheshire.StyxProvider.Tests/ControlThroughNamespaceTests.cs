using Cheshire.Protos.Provider;
using Cheshire.StyxProvider.Tests.Control;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests;

/// <summary>The control trees are mounted in the namespace: a user of styx-root reads /dht and writes /dht/ctl.</summary>
public sealed class ControlThroughNamespaceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DhtFilesAreReadAndWrittenThroughStyxRoot()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        await using var node = await ProviderNode.StartAsync(dhtGrpc: dht.GrpcAddress);

        var nodeFile = await Eventually.SucceedsAsync(() => node.ReadAsync("dht/node", Ct), ProviderNode.Bound, "/dht/node through styx-root", Ct);
        Assert.Contains($"id {dht.Info.Id}\n", nodeFile);

        await using var fs = await node.MountAsync(Ct);
        var key = "through-the-namespace-" + Guid.NewGuid().ToString("N");
        await fs.WriteTextAsync("dht/ctl", $"put {key} seen from styx-root\n", Ct);
        var values = await fs.ReadTextAsync($"dht/get/{key}", Ct);
        Assert.EndsWith(" seen from styx-root\n", values);
        Assert.Contains("dht", await fs.ListAsync("", Ct));
        Assert.Contains("mainline", await fs.ListAsync("", Ct));

        var servers = (await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct)).Servers;
        Assert.Equal(["/dht", "/mainline", "/modules"], servers.Where(s => s.BuiltIn).Select(s => s.Definition.Path));
    }
}
