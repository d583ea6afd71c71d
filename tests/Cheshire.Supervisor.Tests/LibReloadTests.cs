using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Cheshire.Protos.Mainline;
using Cheshire.Protos.Modules;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A change to a lib reloads every watching module that uses it, dependencies first, each onto a new build that then
/// serves; modules with watch off only note the change. The watched tree, like a checkout the node runs from, holds a
/// normal build's generated sources in obj/, which the supervisor's builds must leave out.
/// </summary>
public sealed class LibReloadTests(LibReloadingNodeFixture node) : IClassFixture<LibReloadingNodeFixture>
{
    /// <summary>The lib: every module references it, mainline-dht and dht (which depends on mainline-dht) among them.</summary>
    private const string Lib = "orchestrator/Cheshire.ServiceDefaults/ModuleInfoProvider.cs";
    private static readonly string[] Reloaded = ["mainline-dht", "dht"];
    private static readonly string[] Unwatched = ["styx-provider", "styx-client", "styx-root"];
    /// <summary>The first builds of a fresh build tree compile the modules, their libs and their tests from scratch.</summary>
    private static readonly TimeSpan ReloadPatience = TimeSpan.FromMinutes(5);

    private static DateTime Deadline(int seconds = 30) => DateTime.UtcNow.AddSeconds(seconds);

    private Task<ModuleStatus> StatusAsync(string module, CancellationToken ct) =>
        node.Modules.GetAsync(new ModuleRequest { Name = module }, deadline: Deadline(), cancellationToken: ct).ResponseAsync;

    private async Task<ModuleInfo> InfoAsync(string module, CancellationToken ct)
    {
        var channel = node.ModuleChannel(module);
        return module == "dht"
            ? await new Dht.DhtClient(channel).GetInfoAsync(new GetInfoRequest(), deadline: Deadline(5), cancellationToken: ct)
            : await new Mainline.MainlineClient(channel).GetInfoAsync(new GetInfoRequest(), deadline: Deadline(5), cancellationToken: ct);
    }

    private async Task SetWatchAsync(IEnumerable<string> modules, bool on, CancellationToken ct)
    {
        foreach (var module in modules)
            Assert.Equal(on, (await node.Modules.SetWatchAsync(new SetWatchRequest { Name = module, On = on }, deadline: Deadline(), cancellationToken: ct)).Watch);
    }

    [Fact]
    public async Task ALibChangeReloadsItsUsersInDependencyOrderOntoNewBuildsThatServe()
    {
        var ct = TestContext.Current.CancellationToken;
        // The tree holds the generated sources of a normal build (without them this test would not check that they are left out).
        Assert.Contains(node.GeneratedSources, f => f.StartsWith("services/dht/obj/", StringComparison.Ordinal) && f.EndsWith(".AssemblyInfo.cs", StringComparison.Ordinal));
        Assert.Contains(node.GeneratedSources, f => f.StartsWith("orchestrator/Cheshire.ServiceDefaults/obj/", StringComparison.Ordinal));

        await SetWatchAsync(Unwatched, on: false, ct);
        try
        {
            var before = new Dictionary<string, ModuleStatus>();
            foreach (var module in Reloaded.Concat(Unwatched))
                before[module] = await StatusAsync(module, ct);
            var since = DateTimeOffset.UtcNow;
            File.AppendAllText(node.Sources.PathOf(Lib), $"{Environment.NewLine}// saved at {since:O}{Environment.NewLine}");

            var after = new Dictionary<string, ModuleStatus>();
            foreach (var module in Reloaded)
                after[module] = await Eventually.SucceedsAsync(async () =>
                {
                    var status = await StatusAsync(module, ct);
                    Assert.NotNull(status.LastReload);
                    Assert.Contains(Lib, status.LastReload.Changed);
                    Assert.True(status.LastReload.StartedAt.ToDateTimeOffset() >= since.AddSeconds(-1), "an older reload");
                    return status;
                }, ReloadPatience, $"{module}'s reload after {Lib} changed", ct);

            foreach (var (module, status) in after)
            {
                var reload = status.LastReload;
                Assert.True(reload.Result == ReloadResult.Reloaded, $"{module}: {reload.Reason}");
                Assert.Equal(reload.BuildId, status.BuildId);
                Assert.Equal(before[module].BuildId, reload.PreviousBuildId);
                Assert.NotEqual(reload.PreviousBuildId, reload.BuildId);
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"{module} reload {reload.BuildId}: {reload.StartedAt.ToDateTimeOffset():HH:mm:ss.fff} to {reload.FinishedAt.ToDateTimeOffset():HH:mm:ss.fff}, " +
                    $"build {reload.BuildTime.ToTimeSpan().TotalSeconds:0.0} s, tests {reload.TestTime.ToTimeSpan().TotalSeconds:0.0} s, restart {reload.RestartTime.ToTimeSpan().TotalSeconds:0.0} s");
            }
            // mainline-dht first (dht depends on it), dht only after mainline-dht's reload finished.
            Assert.True(after["mainline-dht"].LastReload.FinishedAt.ToDateTimeOffset() <= after["dht"].LastReload.StartedAt.ToDateTimeOffset(),
                $"mainline-dht's reload (finished {after["mainline-dht"].LastReload.FinishedAt}) before dht's (started {after["dht"].LastReload.StartedAt})");

            // Each serves from its new build, a new process, and is Healthy.
            foreach (var module in Reloaded)
            {
                var buildId = after[module].BuildId;
                var info = await Eventually.SucceedsAsync(async () =>
                {
                    var answer = await InfoAsync(module, ct);
                    Assert.EndsWith("+" + buildId, answer.Version);
                    return answer;
                }, TimeSpan.FromSeconds(60), $"{module} answering GetInfo from build {buildId}", ct);
                Assert.NotEqual(before[module].ProcessId, info.ProcessId);
                await Eventually.TrueAsync(async () => (await StatusAsync(module, ct)).Health == ModuleHealth.Healthy, TimeSpan.FromSeconds(60),
                    $"{module} Healthy on build {buildId}", ct);
            }

            // The modules with watch off saw the change and kept running as they were.
            foreach (var module in Unwatched)
            {
                var status = await StatusAsync(module, ct);
                Assert.True(status.IgnoredChanges > before[module].IgnoredChanges, $"{module} saw the change");
                Assert.Equal(before[module].BuildId, status.BuildId);
                Assert.Equal(before[module].ProcessId, status.ProcessId);
            }
        }
        finally
        {
            await SetWatchAsync(Unwatched, on: true, CancellationToken.None);
        }
    }
}
