using System.Globalization;
using Aspire.Hosting.Testing;
using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Cheshire.Protos.Modules;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// Restart on source change, on a copy of the sources: a saved change to dht is built, tested and served; a broken build
/// or a failing test leaves the old build serving with the reason reported; with watch off nothing is rebuilt.
/// </summary>
public sealed class ReloadTests(ReloadingNodeFixture node) : IClassFixture<ReloadingNodeFixture>
{
    private const string Module = ReloadingNodeFixture.Module;
    private const string HealthCheck = "services/dht/Node/DhtHealthCheck.cs";
    /// <summary>The first build of a fresh build tree compiles the module, its libs and its tests from scratch.</summary>
    private static readonly TimeSpan ReloadPatience = TimeSpan.FromMinutes(5);

    private static DateTime Deadline(int seconds = 30) => DateTime.UtcNow.AddSeconds(seconds);

    private Task<ModuleStatus> StatusAsync(CancellationToken ct) =>
        node.Modules.GetAsync(new ModuleRequest { Name = Module }, deadline: Deadline(), cancellationToken: ct).ResponseAsync;

    private Task<ModuleInfo> InfoAsync(CancellationToken ct) =>
        new Dht.DhtClient(node.Channel(node.App.GetEndpoint(Module, "grpc").ToString()))
            .GetInfoAsync(new GetInfoRequest(), deadline: Deadline(5), cancellationToken: ct).ResponseAsync;

    /// <summary>The reload that a change to <paramref name="file"/> made, once it has finished.</summary>
    private Task<ModuleStatus> ReloadOfAsync(string file, DateTimeOffset since, CancellationToken ct) =>
        Eventually.SucceedsAsync(async () =>
        {
            var status = await StatusAsync(ct);
            Assert.NotNull(status.LastReload);
            Assert.Contains(file, status.LastReload.Changed);
            Assert.True(status.LastReload.StartedAt.ToDateTimeOffset() >= since.AddSeconds(-1), "an older reload");
            return status;
        }, ReloadPatience, $"the reload after {file} changed", ct);

    /// <summary>Changes the sources with watch off (so nothing is rebuilt), once the supervisor has seen the change.</summary>
    private async Task ChangeUnwatchedAsync(Action change, CancellationToken ct)
    {
        var off = await node.Modules.SetWatchAsync(new SetWatchRequest { Name = Module, On = false }, deadline: Deadline(), cancellationToken: ct);
        Assert.False(off.Watch);
        try
        {
            change();
            await Eventually.TrueAsync(async () => (await StatusAsync(ct)).IgnoredChanges > off.IgnoredChanges, TimeSpan.FromSeconds(30),
                "the change seen and ignored", ct);
        }
        finally
        {
            await node.Modules.SetWatchAsync(new SetWatchRequest { Name = Module, On = true }, deadline: Deadline(), cancellationToken: ct);
        }
    }

    [Fact]
    public async Task ASavedChangeIsBuiltTestedAndServedByTheNewBuild()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await InfoAsync(ct);
        var statusBefore = await StatusAsync(ct);
        var since = DateTimeOffset.UtcNow;
        const string file = "services/dht/Program.cs";
        File.AppendAllText(node.Sources.PathOf(file), $"{Environment.NewLine}// saved at {since:O}{Environment.NewLine}");

        var status = await ReloadOfAsync(file, since, ct);
        var reload = status.LastReload;
        Assert.True(reload.Result == ReloadResult.Reloaded, reload.Reason);
        Assert.Equal(reload.BuildId, status.BuildId);
        Assert.NotEqual(reload.PreviousBuildId, reload.BuildId);
        Assert.True(reload.BuildTime.ToTimeSpan() > TimeSpan.Zero && reload.TestTime.ToTimeSpan() > TimeSpan.Zero && reload.RestartTime.ToTimeSpan() > TimeSpan.Zero);
        Assert.Contains("2 tests passed", reload.Reason);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"reload {reload.BuildId}: build {reload.BuildTime.ToTimeSpan().TotalSeconds:0.0} s, tests {reload.TestTime.ToTimeSpan().TotalSeconds:0.0} s, restart {reload.RestartTime.ToTimeSpan().TotalSeconds:0.0} s");

        // A new process serves, from the build's own folder, and says which build it is.
        var after = await Eventually.SucceedsAsync(async () =>
        {
            var info = await InfoAsync(ct);
            Assert.NotEqual(before.ProcessId, info.ProcessId);
            return info;
        }, TimeSpan.FromSeconds(60), "the new dht answering GetInfo", ct);
        Assert.EndsWith("+" + reload.BuildId, after.Version);
        var program = File.ReadAllText($"/proc/{after.ProcessId.ToString(CultureInfo.InvariantCulture)}/cmdline").Split('\0')[0];
        Assert.StartsWith(Path.Combine(node.DataDirectory, "builds", Module) + "/", program);
        Assert.Equal(statusBefore.Restarts, (await StatusAsync(ct)).Restarts); // a reload is not a crash restart

        // Modules.Test runs the same check on demand.
        var test = await node.Modules.TestAsync(new ModuleRequest { Name = Module }, deadline: Deadline(300), cancellationToken: ct);
        Assert.True(test.Passed, test.Summary);
        Assert.Equal(2, test.Total);
        Assert.Equal("/*/*/HealthCheckTests/*", test.Filter);
    }

    [Fact]
    public async Task ABrokenBuildLeavesTheOldBuildServingAndSaysWhy()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await InfoAsync(ct);
        var buildBefore = (await StatusAsync(ct)).BuildId;
        var since = DateTimeOffset.UtcNow;
        const string file = "services/dht/Broken.cs";
        File.WriteAllText(node.Sources.PathOf(file), "namespace Cheshire.Dht;\ninternal static class Broken { public static int X = ; }\n");
        try
        {
            var status = await ReloadOfAsync(file, since, ct);
            Assert.Equal(ReloadResult.BuildFailed, status.LastReload.Result);
            Assert.StartsWith("build failed: ", status.LastReload.Reason);
            Assert.Contains("Broken.cs(2,", status.LastReload.Reason);
            Assert.Contains("error CS", status.LastReload.Reason);
            Assert.True(File.Exists(status.LastReload.Log), status.LastReload.Log);
            Assert.Equal(buildBefore, status.BuildId);
            Assert.Equal(ModuleState.Running, status.State);

            var info = await InfoAsync(ct);
            Assert.Equal(before.ProcessId, info.ProcessId);
            Assert.Equal(before.Version, info.Version);
        }
        finally
        {
            await ChangeUnwatchedAsync(() => File.Delete(node.Sources.PathOf(file)), ct);
        }
    }

    [Fact]
    public async Task AFailingTestLeavesTheOldBuildServingAndNamesTheTest()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await InfoAsync(ct);
        var buildBefore = (await StatusAsync(ct)).BuildId;
        var since = DateTimeOffset.UtcNow;
        node.Sources.Replace(HealthCheck, "no contacts yet", "alone");
        try
        {
            var status = await ReloadOfAsync(HealthCheck, since, ct);
            Assert.Equal(ReloadResult.TestsFailed, status.LastReload.Result);
            Assert.StartsWith("tests failed: 1 of 2 tests failed: ", status.LastReload.Reason);
            var failure = Assert.Single(status.LastReload.Failures);
            Assert.Equal("Cheshire.Dht.Tests.HealthCheckTests.ANodeWithoutContactsIsDegradedAndADeadSocketIsUnhealthy", failure.Name);
            Assert.Contains("no contacts", failure.Message);
            Assert.Equal(buildBefore, status.BuildId);

            var info = await InfoAsync(ct);
            Assert.Equal(before.ProcessId, info.ProcessId);
            Assert.Equal(before.Version, info.Version);

            var test = await node.Modules.TestAsync(new ModuleRequest { Name = Module }, deadline: Deadline(300), cancellationToken: ct);
            Assert.False(test.Passed);
            Assert.Equal(failure.Name, Assert.Single(test.Failures).Name);
        }
        finally
        {
            await ChangeUnwatchedAsync(() => node.Sources.Replace(HealthCheck, "alone", "no contacts yet"), ct);
        }
    }

    [Fact]
    public async Task WithWatchOffAChangeIsSeenButNotRebuilt()
    {
        var ct = TestContext.Current.CancellationToken;
        var before = await StatusAsync(ct);
        Assert.True(before.Watch, "module.json says watch: true");
        var info = await InfoAsync(ct);

        await ChangeUnwatchedAsync(() => File.AppendAllText(node.Sources.PathOf("services/dht/DhtApi.cs"), "\n// not rebuilt\n"), ct);

        var after = await StatusAsync(ct);
        Assert.True(after.Watch);
        Assert.NotNull(after.IgnoredChangeAt);
        Assert.Equal(before.BuildId, after.BuildId);
        Assert.Equal(before.LastReload, after.LastReload);
        Assert.Equal("idle", after.ReloadPhase);
        Assert.Equal(info.ProcessId, (await InfoAsync(ct)).ProcessId);
    }

    [Fact]
    public async Task TestAndSetWatchCheckTheName()
    {
        var ct = TestContext.Current.CancellationToken;
        var missing = await Assert.ThrowsAsync<RpcException>(() =>
            node.Modules.TestAsync(new ModuleRequest { Name = "nosuch" }, deadline: Deadline(), cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        var empty = await Assert.ThrowsAsync<RpcException>(() =>
            node.Modules.SetWatchAsync(new SetWatchRequest { Name = "" }, deadline: Deadline(), cancellationToken: ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
    }
}
