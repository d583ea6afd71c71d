using System.Diagnostics;
using Cheshire.Protos.Modules;
using Grpc.Core;

namespace Cheshire.Supervisor.Tests;

/// <summary>On-demand start: explicit-start modules stay down with the node, and Modules.Ensure starts them, dependencies first.</summary>
public sealed class ExplicitStartTests(ExplicitStartNodeFixture node) : IClassFixture<ExplicitStartNodeFixture>
{
    private static DateTime Deadline(int seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    private Task<ModuleStatus> GetAsync(string name, CancellationToken ct) =>
        node.Modules.GetAsync(new ModuleRequest { Name = name }, deadline: Deadline(), cancellationToken: ct).ResponseAsync;

    [Fact]
    public async Task EnsureStartsAnExplicitStartModuleAfterItsDependencyAndReturnsWhenItIsHealthy()
    {
        var ct = TestContext.Current.CancellationToken;
        // The node is up without them, and the supervisor does not take a module never started for a crashed one.
        foreach (var name in ExplicitStartNodeFixture.ExplicitModules)
        {
            var before = await GetAsync(name, ct);
            Assert.True(before.ExplicitStart, $"{name} is not reported explicit-start");
            Assert.Equal(ModuleState.Stopped, before.State);
            Assert.Equal("NotStarted", before.StateDetail);
            Assert.Equal(0, before.ProcessId);
            Assert.Equal(0u, before.Restarts);
            Assert.Equal("", before.FailureReason);
            Assert.Null(before.NextRestartAt);
        }
        Assert.False((await GetAsync("dht", ct)).ExplicitStart);

        var clock = Stopwatch.StartNew();
        var root = await node.Modules.EnsureAsync(new ModuleRequest { Name = "styx-root" }, deadline: Deadline(150), cancellationToken: ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"Ensure(styx-root) with styx-client: {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.Equal(ModuleState.Running, root.State);
        Assert.NotEqual(0, root.ProcessId);
        Assert.Contains(root.Health, new[] { ModuleHealth.Healthy, ModuleHealth.Degraded });
        var client = await GetAsync("styx-client", ct);
        Assert.Equal(ModuleState.Running, client.State);
        Assert.NotEqual(0, client.ProcessId);
        Assert.True(client.StartedAt.ToDateTimeOffset() <= root.StartedAt.ToDateTimeOffset(),
            $"styx-client started at {client.StartedAt}, after styx-root at {root.StartedAt}");
        Assert.Equal(0u, root.Restarts);

        // A second Ensure finds it running and healthy: the same process, at once.
        clock.Restart();
        var again = await node.Modules.EnsureAsync(new ModuleRequest { Name = "styx-root" }, deadline: Deadline(30), cancellationToken: ct);
        Assert.Equal(root.ProcessId, again.ProcessId);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a second Ensure took {clock.Elapsed}");
    }

    [Fact]
    public async Task EnsureOfARunningModuleLeavesItAsItIs()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await GetAsync("dht", ct);
        var ensured = await node.Modules.EnsureAsync(new ModuleRequest { Name = "dht" }, deadline: Deadline(60), cancellationToken: ct);
        Assert.Equal(ModuleState.Running, ensured.State);
        Assert.Equal(before.ProcessId, ensured.ProcessId);
        Assert.Equal(before.StartedAt, ensured.StartedAt);
    }

    [Fact]
    public async Task EnsureOfAnUnknownModuleIsNotFoundListingTheModules()
    {
        var ct = TestContext.Current.CancellationToken;
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            node.Modules.EnsureAsync(new ModuleRequest { Name = "nosuch" }, deadline: Deadline(), cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("no module named 'nosuch'; the node's modules: mainline-dht, dht, styx-client, styx-provider, styx-root.",
            missing.Status.Detail);
    }
}
