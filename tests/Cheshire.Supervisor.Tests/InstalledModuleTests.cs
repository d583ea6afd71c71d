using Cheshire.Protos.Modules;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// An installed module takes what the node's own modules take: Modules.Test on its installed sources, SetConfig (live
/// through IOptionsMonitor, refused when invalid, kept across a restart), watch on|off and reloads that switch only
/// when the new build builds and passes its tests; and it shows among the dependents of the module it depends on.
/// </summary>
[Collection(nameof(InstallNode))]
public sealed class InstalledModuleTests(InstallNodeFixture node)
{
    private const string WordsKey = "Hello:Words";
    private static readonly TimeSpan ReloadPatience = TimeSpan.FromSeconds(120);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnInstalledModuleIsTestedOnDemandConfiguredLiveAndListedAsADependent()
    {
        ModulePackage.Write(node.Packages, "greeter", dependsOn: "dht");
        var installed = await InstallAsync("greeter");

        // It depends on dht: dht lists it among its dependents, in Get and List.
        Assert.Equal(["dht"], installed.Status.Dependencies);
        Assert.Contains("greeter", (await GetAsync("dht")).Dependents);
        Assert.Contains("greeter", (await node.Modules.ListAsync(new ListModulesRequest(), cancellationToken: Ct)).Modules.Single(m => m.Name == "dht").Dependents);

        // Modules.Test runs its tests on its installed sources, and /modules/greeter/ctl "test" does the same.
        var tested = await node.Modules.TestAsync(new ModuleRequest { Name = "greeter" }, cancellationToken: Ct);
        Assert.Equal((true, 1, "1 tests passed"), (tested.Passed, tested.Total, tested.Summary));
        Assert.Equal(Path.Combine(node.InstalledDirectory, "greeter", "tests", "Hello.Tests.csproj"), tested.Project);
        Assert.Equal("/*/Hello.Tests/GreetingTests/*", tested.Filter);
        await File.WriteAllTextAsync(Path.Combine(node.InstalledDirectory, "greeter", "tests", "GreetingTests.cs"),
            ModulePackage.Test("Assert.Equal(\"bonjour\", Greeting.Text)"), Ct);
        await using (var fs = await node.MountNamespaceAsync(Ct))
        {
            var text = await fs.CommandAsync("modules/greeter/ctl", "test", Ct);
            Assert.Contains("passed no\n", text);
            Assert.Contains("summary 1 of 1 tests failed", text);
            Assert.Contains("failure Hello.Tests.GreetingTests.GreetsInEnglish ", text);
        }
        var failed = await node.Modules.TestAsync(new ModuleRequest { Name = "greeter" }, cancellationToken: Ct);
        var failure = Assert.Single(failed.Failures);
        Assert.Equal("Hello.Tests.GreetingTests.GreetsInEnglish", failure.Name);
        Assert.Contains("bonjour", failure.Message);
        // A test run switches nothing: the module runs on, on its build.
        var running = await GetAsync("greeter");
        Assert.Equal((installed.Status.ProcessId, installed.BuildId), (running.ProcessId, running.BuildId));

        // SetConfig: a key it reads through IOptionsMonitor applies at once; an invalid value is refused by its own validation.
        var set = await SetAsync("greeter", "hi there");
        Assert.Equal((WordsKey, "hi there", true, "applied now"), (set.Key, set.Value, set.Live, set.Detail));
        Assert.Equal("hi there", await ModulePackage.GreetingAsync(running, Ct));
        var refused = await Assert.ThrowsAsync<RpcException>(() => SetAsync("greeter", " "));
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("greeter refuses Hello:Words = ' ': Hello:Words ' ' is empty: it is what /greeting answers.", refused.Status.Detail);
        Assert.Equal("hi there", await ModulePackage.GreetingAsync(running, Ct));
        await using (var fs = await node.MountNamespaceAsync(Ct))
            Assert.Equal("key Hello:Words\nvalue hello world\nlive yes\ndetail applied now\n",
                await fs.CommandAsync("modules/greeter/ctl", $"set {WordsKey} hello world", Ct));
        Assert.Equal("hello world", await ModulePackage.GreetingAsync(running, Ct));

        // It is kept (DATADIR/config/greeter.json, shown in its status) and holds across a restart.
        var restarted = await node.Modules.RestartAsync(new ModuleRequest { Name = "greeter" }, cancellationToken: Ct);
        Assert.NotEqual(running.ProcessId, restarted.ProcessId);
        Assert.Equal("hello world", await ModulePackage.GreetingAsync(restarted, Ct));
        Assert.Equal(Path.Combine(node.DataDirectory, "config", "greeter.json"), restarted.ConfigFile);
        Assert.Equal([(WordsKey, "hello world")], restarted.Config.Select(c => (c.Key, c.Value)));

        // A stopped module checks nothing: SetConfig says to start it.
        await node.Modules.StopAsync(new ModuleRequest { Name = "greeter" }, cancellationToken: Ct);
        var stopped = await Assert.ThrowsAsync<RpcException>(() => SetAsync("greeter", "hi"));
        Assert.Equal(StatusCode.FailedPrecondition, stopped.StatusCode);
        Assert.Equal("greeter is not running (stopped): the module checks its own settings, so start it first.", stopped.Status.Detail);
        await node.Modules.UninstallAsync(new ModuleRequest { Name = "greeter" }, cancellationToken: Ct);
        Assert.DoesNotContain("greeter", (await GetAsync("dht")).Dependents);
    }

    [Fact]
    public async Task AWatchedInstalledModuleSwitchesToANewBuildOnlyWhenItBuildsAndPassesItsTests()
    {
        ModulePackage.Write(node.Packages, "watched");
        var installed = await InstallAsync("watched");
        var folder = Path.Combine(node.InstalledDirectory, "watched");
        Assert.False(installed.Status.Watch); // the node's Cheshire:Supervisor:Watch=false (NodeApp) starts every module unwatched

        // Watch off: a change is only counted.
        await File.WriteAllTextAsync(Path.Combine(folder, "Program.cs"), ModulePackage.Program("hello, unwatched"), Ct);
        var ignored = await Eventually.SucceedsAsync(async () =>
        {
            var s = await GetAsync("watched");
            return s.IgnoredChanges > 0 ? s : throw new InvalidOperationException("no ignored change yet");
        }, TimeSpan.FromSeconds(30), "the change counted as ignored", Ct);
        Assert.Equal((installed.BuildId, installed.Status.ProcessId, 0u), (ignored.BuildId, ignored.ProcessId, ignored.Reloads));

        await using (var fs = await node.MountNamespaceAsync(Ct))
            Assert.Equal("watched watch on\n", await fs.CommandAsync("modules/watched/ctl", "watch on", Ct));

        // A change that does not build: the old build keeps serving, the compiler's error reported.
        await File.WriteAllTextAsync(Path.Combine(folder, "Program.cs"), "var x = ;\n", Ct);
        var broken = await ReloadedAsync("watched", ignored, ReloadResult.BuildFailed);
        Assert.Contains("Program.cs(1,9): error CS1525", broken.LastReload.Reason);
        Assert.Equal((installed.BuildId, installed.Status.ProcessId), (broken.BuildId, broken.ProcessId));
        Assert.Equal(ModulePackage.Greeting, await ModulePackage.GreetingAsync(broken, Ct));

        // A change that builds and passes: the module switches to the new build, which serves the change.
        await File.WriteAllTextAsync(Path.Combine(folder, "Program.cs"), ModulePackage.Program("hello, reloaded"), Ct);
        var reloaded = await ReloadedAsync("watched", broken, ReloadResult.Reloaded);
        TestContext.Current.TestOutputHelper?.WriteLine($"reload of watched: build {reloaded.LastReload.BuildTime.ToTimeSpan().TotalSeconds:0.0} s, " +
            $"test {reloaded.LastReload.TestTime.ToTimeSpan().TotalSeconds:0.0} s, restart {reloaded.LastReload.RestartTime.ToTimeSpan().TotalSeconds:0.0} s");
        Assert.Equal((1u, installed.BuildId), (reloaded.Reloads, reloaded.LastReload.PreviousBuildId));
        Assert.NotEqual(installed.BuildId, reloaded.BuildId);
        Assert.Equal(reloaded.LastReload.BuildId, reloaded.BuildId);
        Assert.Equal(["Program.cs"], reloaded.LastReload.Changed);
        Assert.NotEqual(installed.Status.ProcessId, reloaded.ProcessId);
        Assert.Equal("hello, reloaded", await ModulePackage.GreetingAsync(reloaded, Ct));
        Assert.EndsWith("+" + reloaded.BuildId, (await ModulePackage.GetInfoAsync(reloaded, Ct)).Version);

        // A change whose tests fail: the build that passed keeps serving, the failing test named.
        await File.WriteAllTextAsync(Path.Combine(folder, "tests", "GreetingTests.cs"), ModulePackage.Test("Assert.Equal(\"bonjour\", Greeting.Text)"), Ct);
        var failing = await ReloadedAsync("watched", reloaded, ReloadResult.TestsFailed);
        Assert.StartsWith("tests failed: 1 of 1 tests failed", failing.LastReload.Reason);
        Assert.Equal("Hello.Tests.GreetingTests.GreetsInEnglish", Assert.Single(failing.LastReload.Failures).Name);
        Assert.Equal((reloaded.BuildId, reloaded.ProcessId, 1u), (failing.BuildId, failing.ProcessId, failing.Reloads));
        Assert.Equal("hello, reloaded", await ModulePackage.GreetingAsync(failing, Ct));
        await node.Modules.UninstallAsync(new ModuleRequest { Name = "watched" }, cancellationToken: Ct);
    }

    private async Task<InstallReply> InstallAsync(string package) =>
        await node.Modules.InstallAsync(new InstallRequest { Path = $"{InstallNodeFixture.ExportPath}/{package}" }, cancellationToken: Ct);

    private async Task<ModuleStatus> GetAsync(string name) => await node.Modules.GetAsync(new ModuleRequest { Name = name }, cancellationToken: Ct);

    private async Task<SetModuleConfigReply> SetAsync(string name, string words) =>
        await node.Modules.SetConfigAsync(new SetModuleConfigRequest { Name = name, Key = WordsKey, Value = words }, cancellationToken: Ct);

    /// <summary>Waits for a reload of the module that finished after <paramref name="before"/>'s last one, and checks its result.</summary>
    private Task<ModuleStatus> ReloadedAsync(string name, ModuleStatus before, ReloadResult result) =>
        Eventually.SucceedsAsync(async () =>
        {
            var s = await GetAsync(name);
            if (s.LastReload is not { } last || s.ReloadPhase != "idle" || (before.LastReload is { } previous && last.FinishedAt.Equals(previous.FinishedAt)))
                throw new InvalidOperationException($"no new reload of {name} finished: {s.ReloadPhase}, last {s.LastReload?.Result}");
            Assert.True(last.Result == result, $"reload of {name}: {last.Result}, {last.Reason}");
            return s;
        }, ReloadPatience, $"a reload of {name} to end {result}", Ct);
}
