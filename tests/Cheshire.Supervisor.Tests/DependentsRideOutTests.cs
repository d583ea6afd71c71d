using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting.Testing;
using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Cheshire.Protos.Modules;
using Cheshire.ServiceDefaults;
using Cheshire.Styx.Client;
using Cheshire.Testing;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A node under continuous use while its modules restart or are killed: a dependent's requests wait the outage out
/// (module clients' retries, styx-provider's /dht tree over them) instead of failing, and every module killed comes
/// back by itself with its dependents healthy again.
/// </summary>
public sealed class DependentsRideOutTests(ServingNodeFixture node) : IClassFixture<ServingNodeFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static DateTime Deadline(int seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    [Fact(Timeout = 300_000)]
    public async Task NoRequestFailsWhileDhtRestarts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var services = DhtClientAsADependentHasIt();
        var dht = services.GetRequiredService<GrpcClientFactory>().CreateModuleClient<Dht.DhtClient>("dht");
        await using var fs = await MountAsync(ct);
        var before = await ProcessOfAsync("dht", ct);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var grpc = ContinuousLoad.Start("dht NodeInfo over gRPC", async token =>
            await dht.NodeInfoAsync(new NodeInfoRequest(), cancellationToken: token), Log, stop.Token);
        var files = ContinuousLoad.Start("/dht/stats through styx-root", async token => await fs.ReadTextAsync("dht/stats", token), Log, stop.Token);
        try
        {
            await Eventually.TrueAsync(() => Task.FromResult(grpc.Operations > 20 && files.Operations > 20), Patience, "the load running", ct);
            Log($"load running: {grpc}; {files}; restarting dht (process {before})");
            var restarting = Stopwatch.StartNew();
            var restart = await node.Modules.RestartAsync(new ModuleRequest { Name = "dht" }, deadline: Deadline(60), cancellationToken: ct);
            Log($"Modules.Restart(dht) answered after {restarting.ElapsedMilliseconds} ms");
            Assert.Contains(restart.State, new[] { ModuleState.Starting, ModuleState.Running });
            var after = await ProcessOfAsync("dht", ct);
            Assert.NotEqual(before, after);
            Log($"dht restarted as process {after}: {grpc}; {files}");
            // Load on the new process too, then stop.
            var (grpcAfter, filesAfter) = (grpc.Operations, files.Operations);
            await Eventually.TrueAsync(() => Task.FromResult(grpc.Operations > grpcAfter + 20 && files.Operations > filesAfter + 20), Patience,
                "the load running on the restarted dht", ct);
            Assert.Equal(after, (await dht.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(), cancellationToken: ct)).ProcessId);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(grpc.Run, files.Run);
            Log($"load stopped: {grpc}; {files}");
        }
        Assert.Empty(grpc.Failures);
        Assert.Empty(files.Failures);
    }

    [Fact(Timeout = 300_000)]
    public async Task EveryModuleKilledComesBackAndItsDependentsRecover()
    {
        var ct = TestContext.Current.CancellationToken;
        await EveryModuleHealthyAsync("with the node whole", ct);
        foreach (var module in ServingNodeFixture.Names)
        {
            var pid = await ProcessOfAsync(module, ct);
            Log($"killing {module}: process {pid}");
            var killed = Stopwatch.StartNew();
            using (var process = Process.GetProcessById(pid))
                process.Kill(); // SIGKILL

            var back = await Eventually.SucceedsAsync(async () =>
            {
                var status = await node.Modules.GetAsync(new ModuleRequest { Name = module }, deadline: Deadline(), cancellationToken: ct);
                Assert.Equal(ModuleState.Running, status.State);
                Assert.NotEqual(0, status.ProcessId);
                Assert.NotEqual(pid, status.ProcessId);
                return status;
            }, Patience, $"{module} running again after kill -9", ct);
            Assert.NotEqual(0, back.LastExitCode);
            Log($"{module} back as process {back.ProcessId} after {killed.ElapsedMilliseconds} ms ({back.FailureReason}, restart {back.Restarts})");
            await EveryModuleHealthyAsync($"after {module} was killed", ct);
            Log($"every module healthy {killed.ElapsedMilliseconds} ms after {module} was killed");
        }

        // The node still serves its namespace, the dht behind it included.
        await Eventually.SucceedsAsync(async () =>
        {
            await using var fs = await MountAsync(ct);
            return await fs.ReadTextAsync("dht/stats", ct);
        }, Patience, "/dht/stats through the restarted styx-root", ct);
    }

    [Fact(Timeout = 300_000)]
    public async Task ReadsOfAStoppedDhtFailAtOnceSayingItIsNotRunningAndWorkWhenItIsStartedAgain()
    {
        var ct = TestContext.Current.CancellationToken;
        // styx-provider's /dht tree over 9P2000.u, whose errors carry their text (styx-root's 9P2000.L only an errno)
        await using var fs = await MountProviderAsync("/dht", ct);
        Assert.Contains("stored_values ", await fs.ReadTextAsync("stats", ct));
        try
        {
            var stopping = Stopwatch.StartNew();
            var stopped = await node.Modules.StopAsync(new ModuleRequest { Name = "dht" }, deadline: Deadline(60), cancellationToken: ct);
            Log($"Modules.Stop(dht) answered after {stopping.ElapsedMilliseconds} ms: {stopped.State}, exit code {stopped.LastExitCode}");
            Assert.Equal(ModuleState.Stopped, stopped.State);

            // styx-provider's watch sees dht gone, the supervisor says it is stopped: no waiting out a restart
            var down = await Eventually.SucceedsAsync(async () =>
            {
                var clock = Stopwatch.StartNew();
                var error = await Assert.ThrowsAsync<Styx.Protocol.StyxErrorException>(() => fs.ReadTextAsync("stats", ct));
                return (error, clock.Elapsed);
            }, Patience, "a read of /dht/stats failing", ct);
            Log($"/dht/stats failed after {down.Elapsed.TotalMilliseconds:0} ms: {down.error.Message}");
            Assert.StartsWith("dht unavailable: not running: the supervisor reports it stopped", down.error.Message);
            Assert.True(down.Elapsed < TimeSpan.FromSeconds(1.5), $"the read failed after {down.Elapsed}");
        }
        finally
        {
            await node.Modules.StartAsync(new ModuleRequest { Name = "dht" }, deadline: Deadline(60), cancellationToken: ct);
        }
        Assert.Contains("stored_values ", await Eventually.SucceedsAsync(() => fs.ReadTextAsync("stats", ct), Patience, "/dht/stats after the start", ct));
        await EveryModuleHealthyAsync("after dht was started again", ct);
    }

    [Fact(Timeout = 120_000)]
    public async Task TheReportedProcessIsTheModulesOwnAndAKilledLauncherLeavesNoOrphan()
    {
        var ct = TestContext.Current.CancellationToken;
        var dht = new Dht.DhtClient(node.ModuleChannel("dht"));
        var pid = await ProcessOfAsync("dht", ct);
        // The process that answers is the one reported, not the `dotnet run` Aspire launches it with.
        Assert.Equal(pid, (await dht.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(), cancellationToken: ct)).ProcessId);
        var launcher = ParentOf(pid);
        var launcherCommand = File.ReadAllText($"/proc/{launcher.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0');
        Log($"dht process {pid}, launched by {launcher}: {string.Join(' ', launcherCommand.Take(3))}");

        // Killing the launcher ends the resource; the module it leaves behind would hold dht's UDP port from the next one.
        using (var process = Process.GetProcessById(launcher))
            process.Kill();
        await Eventually.TrueAsync(() => Task.FromResult(!Runs(pid)), Patience, $"dht's process {pid} gone with its launcher", ct);
        await Eventually.SucceedsAsync(async () =>
        {
            var info = await dht.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(3), cancellationToken: ct);
            Assert.NotEqual(pid, info.ProcessId);
            Assert.Equal(info.ProcessId, await ProcessOfAsync("dht", ct));
            return info;
        }, Patience, "a new dht process answering GetInfo", ct);
    }

    private async Task EveryModuleHealthyAsync(string when, CancellationToken ct) =>
        await Eventually.SucceedsAsync(async () =>
        {
            var listed = await node.Modules.ListAsync(new ListModulesRequest(), deadline: Deadline(), cancellationToken: ct);
            var unwell = listed.Modules.Where(m => m.Health != ModuleHealth.Healthy).Select(m => $"{m.Name} {m.Health}: {m.HealthDetail}").ToList();
            Assert.True(unwell.Count == 0, string.Join("; ", unwell));
            return listed;
        }, Patience, $"every module healthy {when}", ct);

    private static void Log(string line) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");

    /// <summary>The module's process as the supervisor reports it, once it runs.</summary>
    private async Task<int> ProcessOfAsync(string module, CancellationToken ct)
    {
        var status = await Eventually.SucceedsAsync(async () =>
        {
            var s = await node.Modules.GetAsync(new ModuleRequest { Name = module }, deadline: Deadline(), cancellationToken: ct);
            Assert.Equal(ModuleState.Running, s.State);
            Assert.NotEqual(0, s.ProcessId);
            return s;
        }, Patience, $"{module} running", ct);
        return status.ProcessId;
    }

    /// <summary>The parent of a process (field 4 of /proc/PID/stat).</summary>
    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static bool Runs(int pid) => File.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

    private async Task<StyxFs> MountAsync(CancellationToken ct)
    {
        var endpoint = node.App.GetEndpoint("styx-root", "styx");
        var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(endpoint.Host, endpoint.Port, ct);
        return await StyxFs.MountAsync(tcp.GetStream(), "tester", ct: ct);
    }

    private async Task<StyxFs> MountProviderAsync(string aname, CancellationToken ct)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(node.DataDirectory, "styx-provider.sock")), ct);
        return await StyxFs.MountAsync(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true), "tester", aname,
            Styx.Protocol.DialectNames.Unix, 64 * 1024, ct: ct);
    }

    /// <summary>The dht client a module has: service discovery from services:dht:grpc:0 and the module clients' retries.</summary>
    private ServiceProvider DhtClientAsADependentHasIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:dht:grpc:0"] = node.App.GetEndpoint("dht", "grpc").ToString(),
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddServiceDiscovery();
        services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        services.AddModuleClient<Dht.DhtClient>("dht");
        return services.BuildServiceProvider();
    }
}
