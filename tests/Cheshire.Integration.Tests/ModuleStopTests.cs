using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cheshire.Integration.Tests;

[Collection(nameof(WholeNodeCollection))]
public sealed class ModuleStopTests(NodeFixture node) : IClassFixture<NodeFixture>
{
    [Fact]
    public async Task AStoppedModuleIsReportedAndCallsToItFailWithinTheirDeadline()
    {
        var ct = TestContext.Current.CancellationToken;
        var commands = node.App.Services.GetRequiredService<ResourceCommandService>();

        var stop = await commands.ExecuteCommandAsync("styx-provider", KnownResourceCommands.StopCommand, ct);
        Assert.True(stop.Success, stop.Message);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(60));
            await node.App.ResourceNotifications.WaitForResourceAsync("styx-provider",
                e => e.Snapshot.State?.Text is "Exited" or "Finished" && e.Snapshot.HealthStatus != HealthStatus.Healthy, wait.Token);
        }

        // A direct call fails with a gRPC status, not a hang, within the caller's deadline.
        var deadline = TimeSpan.FromSeconds(3);
        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            ModuleClients.GetInfoAsync(node.Channel("styx-provider"), "styx-provider", DateTime.UtcNow + deadline, ct));
        watch.Stop();
        Assert.Contains(error.StatusCode, new[] { StatusCode.Unavailable, StatusCode.DeadlineExceeded });
        Assert.True(watch.Elapsed < deadline + TimeSpan.FromSeconds(2), $"the failed call took {watch.Elapsed}");

        // The module that depends on it says which dependency is down, and why, and still answers itself.
        watch.Restart();
        var root = await ModuleClients.GetInfoAsync(node.Channel("styx-root"), "styx-root", DateTime.UtcNow.AddSeconds(15), ct);
        var provider = Assert.Single(root.Dependencies, d => d.Module == "styx-provider");
        Assert.False(provider.Serving);
        Assert.False(string.IsNullOrWhiteSpace(provider.Detail));
        Assert.True(Assert.Single(root.Dependencies, d => d.Module == "styx-client").Serving);

        // Started again, it is healthy and its dependents see it serving.
        var start = await commands.ExecuteCommandAsync("styx-provider", KnownResourceCommands.StartCommand, ct);
        Assert.True(start.Success, start.Message);
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            wait.CancelAfter(TimeSpan.FromSeconds(90));
            await node.App.ResourceNotifications.WaitForResourceHealthyAsync("styx-provider", wait.Token);
        }
        var direct = await ModuleClients.GetInfoAsync(node.Channel("styx-provider"), "styx-provider", DateTime.UtcNow.AddSeconds(15), ct);
        Assert.Equal("styx-provider", direct.Module);
        root = await ModuleClients.GetInfoAsync(node.Channel("styx-root"), "styx-root", DateTime.UtcNow.AddSeconds(15), ct);
        var restarted = Assert.Single(root.Dependencies, d => d.Module == "styx-provider");
        Assert.True(restarted.Serving, restarted.Detail);
    }
}
