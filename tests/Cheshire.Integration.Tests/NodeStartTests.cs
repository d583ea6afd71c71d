using Cheshire.Testing;
using Aspire.Hosting.Testing;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Grpc.Health.V1;

namespace Cheshire.Integration.Tests;

[Collection(nameof(WholeNodeCollection))]
public sealed class NodeStartTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task EveryModuleAnswersGetInfoAsOneNode()
    {
        using var expected = NodeIdentityStore.LoadOrCreate(node.DataDirectory);
        var infos = new Dictionary<string, Protos.ModuleInfo>();
        foreach (var module in NodeFixture.Modules)
            infos[module] = await ModuleClients.GetInfoAsync(node.Channel(module), module, DateTime.UtcNow.AddSeconds(10),
                TestContext.Current.CancellationToken);

        foreach (var (module, info) in infos)
        {
            Assert.Equal(module, info.Module);
            Assert.Equal(expected.NodeIdHex, info.NodeId);
            Assert.Equal(NetworkSalt.Default, info.Salt);
            Assert.False(string.IsNullOrEmpty(info.Version));
            Assert.True(info.Uptime.ToTimeSpan() > TimeSpan.Zero, $"{module} reports no uptime");
            Assert.True(info.StartedAt.ToDateTimeOffset() < DateTimeOffset.UtcNow);
        }
        Assert.Equal(NodeFixture.Modules.Length, infos.Values.Select(i => i.ProcessId).Distinct().Count());

        // The modules that act for the node's user agree on it: the uid of user.key in the data folder.
        using var user = UserIdentityStore.Load(Path.Combine(node.DataDirectory, UserIdentityStore.DefaultFileName));
        Assert.Equal(user.Uid, infos["styx-provider"].Uid);
        Assert.Equal(user.Uid, infos["styx-root"].Uid);
        Assert.Equal("", infos["dht"].Uid);
    }

    [Fact]
    public async Task ModulesReportTheirDependenciesServing()
    {
        var root = await ModuleClients.GetInfoAsync(node.Channel("styx-root"), "styx-root", DateTime.UtcNow.AddSeconds(10),
            TestContext.Current.CancellationToken);

        Assert.Equal(["styx-provider", "styx-client"], root.Dependencies.Select(d => d.Module));
        Assert.All(root.Dependencies, d => Assert.True(d.Serving, $"{d.Module}: {d.Detail}"));

        var dht = await ModuleClients.GetInfoAsync(node.Channel("dht"), "dht", DateTime.UtcNow.AddSeconds(10),
            TestContext.Current.CancellationToken);
        Assert.Equal("mainline-dht", Assert.Single(dht.Dependencies).Module);
    }

    [Fact]
    public async Task StyxRootServesTheNamespaceOverNineP()
    {
        var ct = TestContext.Current.CancellationToken;
        using var expected = NodeIdentityStore.LoadOrCreate(node.DataDirectory);
        var endpoint = node.App.GetEndpoint("styx-root", "styx");
        Assert.Equal(node.StyxPort, endpoint.Port);

        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port, ct);
        await using var client = await StyxClient.ConnectAsync(tcp.GetStream(), DialectNames.Linux, 8192 + 24, ct);
        uint root = client.NewFid(), file = client.NewFid();
        await client.AttachAsync(root, "tester", "", ct: ct);
        await client.WalkAsync(root, file, ["cheshire", "node"], ct);
        await client.LopenAsync(file, LinuxOpenFlags.ReadOnly, ct);

        Assert.Equal(expected.NodeIdHex + "\n", System.Text.Encoding.UTF8.GetString(await client.ReadAllAsync(file, ct)));
    }

    [Fact]
    public async Task TheProvidersControlTreesAreMountedInTheNamespace()
    {
        var ct = TestContext.Current.CancellationToken;
        using var expected = NodeIdentityStore.LoadOrCreate(node.DataDirectory);
        var endpoint = node.App.GetEndpoint("styx-root", "styx");

        var text = await Eventually.SucceedsAsync(async () =>
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, ct);
            await using var fs = await StyxFs.MountAsync(tcp.GetStream(), "tester", ct: ct);
            return await fs.ReadTextAsync("dht/node", ct);
        }, TimeSpan.FromSeconds(60), "/dht/node through the node's namespace", ct);

        Assert.Contains($"id {expected.NodeIdHex}\n", text);
    }

    [Fact]
    public async Task EveryModuleServesGrpcHealth()
    {
        foreach (var module in NodeFixture.Modules)
        {
            var health = new Health.HealthClient(node.Channel(module));
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10),
                cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }
    }
}
