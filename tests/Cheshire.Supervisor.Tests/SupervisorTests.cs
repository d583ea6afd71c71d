using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Cheshire.Protos.Modules;
using Cheshire.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.Supervisor.Tests;

/// <summary>The supervisor inside a real AppHost: crash restarts, failed modules, dependents' health, the Modules API.</summary>
public sealed class SupervisorTests(SupervisedNodeFixture node) : IClassFixture<SupervisedNodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static DateTime Deadline(int seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    private Task<ModuleStatus> GetAsync(string name, CancellationToken ct) =>
        node.Modules.GetAsync(new ModuleRequest { Name = name }, deadline: Deadline(), cancellationToken: ct).ResponseAsync;

    private Task<ModuleStatus> RunningAsync(string name, CancellationToken ct) =>
        Eventually.SucceedsAsync(async () =>
        {
            var status = await GetAsync(name, ct);
            Assert.Equal(ModuleState.Running, status.State);
            return status;
        }, Patience, $"{name} running", ct);

    [Fact]
    public async Task AKilledModuleIsRestartedAndTheRestartIsReported()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await RunningAsync("dht", ct);
        var dht = new Dht.DhtClient(node.ModuleChannel("dht"));
        var old = await dht.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(), cancellationToken: ct);

        var downtime = System.Diagnostics.Stopwatch.StartNew();
        using (var process = System.Diagnostics.Process.GetProcessById(old.ProcessId))
            process.Kill(); // SIGKILL

        // A new dht process answers within the backoff plus a start.
        var restarted = await Eventually.SucceedsAsync(async () =>
        {
            var info = await dht.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(3), cancellationToken: ct);
            Assert.NotEqual(old.ProcessId, info.ProcessId);
            return info;
        }, Patience, "a new dht process answering GetInfo", ct);
        Assert.Equal("dht", restarted.Module);
        TestContext.Current.TestOutputHelper?.WriteLine($"dht killed: a new process answered GetInfo after {downtime.Elapsed.TotalSeconds:0.0} s");

        var after = await RunningAsync("dht", ct);
        Assert.Equal(before.Restarts + 1, after.Restarts);
        Assert.True(after.HasLastExitCode, "no exit code reported");
        Assert.NotEqual(0, after.LastExitCode);
        Assert.Equal($"exited with code {after.LastExitCode.ToString(CultureInfo.InvariantCulture)}", after.FailureReason);
        Assert.True(after.LastExitAt.ToDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-2));
        Assert.True(after.StartedAt.ToDateTimeOffset() >= after.LastExitAt.ToDateTimeOffset().AddSeconds(-1));

        var listed = (await node.Modules.ListAsync(new ListModulesRequest(), deadline: Deadline(), cancellationToken: ct)).Modules;
        Assert.Equal(after.Restarts, Assert.Single(listed, m => m.Name == "dht").Restarts);
    }

    [Fact]
    public async Task ADependentIsDegradedWhileItsDependencyIsStoppedAndHealthyAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        var dhtBefore = await RunningAsync("dht", ct);
        await Eventually.TrueAsync(async () => await ProviderHealthAsync(ct) == "Healthy", Patience, "styx-provider healthy", ct);

        var stopped = await node.Modules.StopAsync(new ModuleRequest { Name = "dht" }, deadline: Deadline(60), cancellationToken: ct);
        Assert.Equal(ModuleState.Stopped, stopped.State);
        try
        {
            await Eventually.TrueAsync(async () => await ProviderHealthAsync(ct) == "Degraded", Patience, "styx-provider degraded", ct);
            // The API probes /health live; a probe slower than its timeout under load reads Unknown once.
            var provider = await Eventually.SucceedsAsync(async () =>
            {
                var status = await GetAsync("styx-provider", ct);
                return status.Health == ModuleHealth.Degraded ? status : throw new InvalidOperationException($"health {status.Health}: {status.HealthDetail}");
            }, Patience, "the API reports styx-provider degraded", ct);
            Assert.Equal(ModuleState.Running, provider.State);

            // A stop is not a crash: the supervisor leaves it stopped.
            var dht = await GetAsync("dht", ct);
            Assert.Equal(ModuleState.Stopped, dht.State);
            Assert.Equal(dhtBefore.Restarts, dht.Restarts);
            Assert.Equal(0, dht.ProcessId);
        }
        finally
        {
            var started = await node.Modules.StartAsync(new ModuleRequest { Name = "dht" }, deadline: Deadline(60), cancellationToken: ct);
            Assert.NotEqual(ModuleState.Stopped, started.State);
        }

        await RunningAsync("dht", ct);
        await Eventually.TrueAsync(async () => await ProviderHealthAsync(ct) == "Healthy", Patience, "styx-provider healthy again", ct);
        await Eventually.TrueAsync(async () => (await GetAsync("styx-provider", ct)).Health == ModuleHealth.Healthy, Patience,
            "the API reports styx-provider healthy again", ct);
    }

    [Fact]
    public async Task AModuleStoppedFromTheDashboardIsLeftStopped()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await RunningAsync("mainline-dht", ct);
        var commands = node.App.Services.GetRequiredService<ResourceCommandService>();

        var stop = await commands.ExecuteCommandAsync("mainline-dht", KnownResourceCommands.StopCommand, ct);
        Assert.True(stop.Success, stop.Message);
        try
        {
            var stopped = await Eventually.SucceedsAsync(async () =>
            {
                var status = await GetAsync("mainline-dht", ct);
                Assert.Equal(ModuleState.Stopped, status.State);
                return status;
            }, Patience, "mainline-dht stopped", ct);
            // The supervisor decides when it sees the process end: a crash would be RESTARTING with a restart time.
            Assert.Null(stopped.NextRestartAt);
            Assert.Equal(before.Restarts, stopped.Restarts);
            Assert.Equal(0, stopped.ProcessId);
        }
        finally
        {
            await node.Modules.StartAsync(new ModuleRequest { Name = "mainline-dht" }, deadline: Deadline(60), cancellationToken: ct);
        }
        await RunningAsync("mainline-dht", ct);
    }

    private async Task<string> ProviderHealthAsync(CancellationToken ct)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(new Uri(node.App.GetEndpoint("styx-provider", "http"), "/health"), ct);
    }

    [Fact]
    public async Task AModuleThatKeepsCrashingIsMarkedFailedWithTheReason()
    {
        var ct = TestContext.Current.CancellationToken;
        var failed = await Eventually.SucceedsAsync(async () =>
        {
            var status = await GetAsync(SupervisedNodeFixture.CrashingModule, ct);
            Assert.Equal(ModuleState.Failed, status.State);
            return status;
        }, TimeSpan.FromSeconds(90), $"{SupervisedNodeFixture.CrashingModule} failed", ct);

        Assert.Equal((uint)SupervisedNodeFixture.MaxRestarts, failed.Restarts);
        Assert.True(failed.HasLastExitCode);
        Assert.NotEqual(0, failed.LastExitCode);
        Assert.Equal($"exited with code {failed.LastExitCode.ToString(CultureInfo.InvariantCulture)}; restarted 2 times within 300 s (limit 2), not restarted again",
            failed.FailureReason);
        Assert.Equal(0, failed.ProcessId);
        Assert.Equal(ModuleHealth.Unknown, failed.Health);
        Assert.Equal(["styx-provider", "styx-client"], failed.Dependencies);
    }

    [Fact]
    public async Task ListReportsEveryModuleWithItsGraphAndEndpoints()
    {
        var ct = TestContext.Current.CancellationToken;
        var modules = (await node.Modules.ListAsync(new ListModulesRequest(), deadline: Deadline(), cancellationToken: ct)).Modules;

        Assert.Equal(["mainline-dht", "dht", "styx-client", "styx-provider", "styx-root"], modules.Select(m => m.Name));
        var dht = modules.Single(m => m.Name == "dht");
        Assert.Equal("dht", dht.Module);
        Assert.Equal(["mainline-dht"], dht.Dependencies);
        Assert.Equal(["styx-client", "styx-provider"], dht.Dependents);
        Assert.Equal(["styx-root"], modules.Single(m => m.Name == "styx-provider").Uses);
        Assert.Equal(node.App.GetEndpoint("dht", "grpc").ToString().TrimEnd('/'),
            Assert.Single(dht.Endpoints, e => e.Name == "grpc").Url.TrimEnd('/'));
        Assert.Contains(dht.Endpoints, e => e.Name == "dht" && e.Url.StartsWith("udp://", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ModulesGetTheSupervisorsAddressAndItAnswersGetInfo()
    {
        var ct = TestContext.Current.CancellationToken;
        var dht = await RunningAsync("mainline-dht", ct);
        var environment = File.ReadAllText($"/proc/{dht.ProcessId.ToString(CultureInfo.InvariantCulture)}/environ").Split('\0');
        Assert.Contains($"services__supervisor__grpc__0=http://127.0.0.1:{node.SupervisorPort.ToString(CultureInfo.InvariantCulture)}", environment);

        var info = await node.Modules.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(), cancellationToken: ct);
        Assert.Equal("supervisor", info.Module);
        Assert.Equal(Environment.ProcessId, info.ProcessId);
        Assert.Equal(Identity.NetworkSalt.Default, info.Salt);
        using var identity = Identity.NodeIdentityStore.LoadOrCreate(node.DataDirectory);
        Assert.Equal(identity.NodeIdHex, info.NodeId);
    }

    [Theory]
    [InlineData("Get")]
    [InlineData("Start")]
    [InlineData("Stop")]
    [InlineData("Restart")]
    public async Task AnUnknownNameIsNotFoundListingTheModulesAndAnEmptyOneIsInvalid(string method)
    {
        var ct = TestContext.Current.CancellationToken;
        Task<ModuleStatus> Call(string name)
        {
            var request = new ModuleRequest { Name = name };
            return method switch
            {
                "Get" => node.Modules.GetAsync(request, deadline: Deadline(), cancellationToken: ct).ResponseAsync,
                "Start" => node.Modules.StartAsync(request, deadline: Deadline(), cancellationToken: ct).ResponseAsync,
                "Stop" => node.Modules.StopAsync(request, deadline: Deadline(), cancellationToken: ct).ResponseAsync,
                _ => node.Modules.RestartAsync(request, deadline: Deadline(), cancellationToken: ct).ResponseAsync,
            };
        }

        var missing = await Assert.ThrowsAsync<RpcException>(() => Call("nosuch"));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal("no module named 'nosuch'; the node's modules: mainline-dht, dht, styx-client, styx-provider, styx-root.",
            missing.Status.Detail);

        var empty = await Assert.ThrowsAsync<RpcException>(() => Call(""));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("name is empty", empty.Status.Detail);
    }
}
