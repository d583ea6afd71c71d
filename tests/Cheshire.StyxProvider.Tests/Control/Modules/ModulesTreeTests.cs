using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control.Modules;

/// <summary>/modules served by styx-provider from the node's real supervisor: cat list and status, echo verbs into ctl.</summary>
public sealed partial class ModulesTreeTests(ModulesNode node) : IClassFixture<ModulesNode>
{
    private static readonly TimeSpan CommandBound = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ListShowsEveryModuleInDependencyOrderAndTheTreeADirectoryForEach()
    {
        await using var fs = await node.MountAsync(Ct);
        var lines = (await fs.ReadTextAsync("list", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(ModulesNode.Modules, lines.Select(l => l.Split(' ')[0]));
        Assert.All(lines, l => Assert.Matches(ListLine(), l));
        Assert.Matches(@"^dht running (healthy|degraded) \d+ \d+$", lines.Single(l => l.StartsWith("dht ", StringComparison.Ordinal)));
        Assert.Equal(["list", .. ModulesNode.Modules], await fs.ListAsync("", Ct));
        Assert.Equal(["ctl", "status", "test"], (await fs.ListAsync("dht", Ct)).Order());
    }

    [Fact]
    public async Task StatusReportsTheModuleAsTheSupervisorSeesIt()
    {
        await using var fs = await node.MountAsync(Ct);
        var (length, text) = await fs.StatAndReadAsync("dht/status", Ct);
        Assert.Equal((ulong)System.Text.Encoding.UTF8.GetByteCount(text), length); // FUSE clients read no further than stat's length

        var dht = ModulesMount.Pairs(text);
        Assert.Equal("dht", dht["name"].Single());
        Assert.Equal("dht", dht["module"].Single());
        Assert.Equal("running", dht["state"].Single());
        Assert.Equal("Running", dht["state_detail"].Single());
        Assert.Contains(dht["health"].Single(), new[] { "healthy", "degraded" });
        Assert.Equal("no", dht["explicit_start"].Single());
        Assert.Equal("mainline-dht", dht["dependencies"].Single());
        Assert.Equal("-", dht["uses"].Single());
        Assert.Equal("styx-client styx-provider", dht["dependents"].Single());
        Assert.Equal("dht", dht["instances"].Single());
        Assert.Contains($"grpc {node.App.GetEndpoint("dht", "grpc").ToString().TrimEnd('/')}", dht["endpoint"].Select(e => e.TrimEnd('/')));
        Assert.Contains(dht["endpoint"], e => e.StartsWith("dht udp://", StringComparison.Ordinal));
        var pid = int.Parse(dht["pid"].Single(), CultureInfo.InvariantCulture);
        Assert.Contains("Cheshire.Dht", await File.ReadAllTextAsync($"/proc/{pid}/cmdline", Ct));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", dht["started"].Single());

        var client = ModulesMount.Pairs(await fs.ReadTextAsync($"{ModulesNode.ExplicitDependency}/status", Ct));
        Assert.Equal("yes", client["explicit_start"].Single());
        Assert.Equal("dht", client["dependencies"].Single());
        Assert.Equal("styx-provider", client["uses"].Single());
    }

    [Fact]
    public async Task AnUnknownVerbOrNameIsAClearError()
    {
        await using var fs = await node.MountAsync(Ct);
        Assert.Equal("start\nstop\nrestart\ntest\nwatch on|off\nset KEY VALUE\nreset KEY\nuninstall\n", await fs.ReadTextAsync("dht/ctl", Ct));

        var verb = await Assert.ThrowsAsync<StyxErrorException>(() => fs.CommandAsync("dht/ctl", "frob", Ct));
        Assert.Equal(Errno.EINVAL, verb.Errno);
        Assert.Equal("modules/dht: unknown command 'frob'; commands: start, stop, restart, test, watch, set, reset, uninstall", verb.Message);

        var extra = await Assert.ThrowsAsync<StyxErrorException>(() => fs.CommandAsync("dht/ctl", "stop now", Ct));
        Assert.Equal(Errno.EINVAL, extra.Errno);
        Assert.Equal("modules/dht: stop: unexpected 'now'; usage: stop", extra.Message);

        var watch = await Assert.ThrowsAsync<StyxErrorException>(() => fs.CommandAsync("dht/ctl", "watch maybe", Ct));
        Assert.Equal("modules/dht: watch: 'maybe' is neither on nor off; usage: watch on|off", watch.Message);
        Assert.Equal("modules/dht: set: usage: set KEY VALUE",
            (await Assert.ThrowsAsync<StyxErrorException>(() => fs.CommandAsync("dht/ctl", "set Logging:LogLevel:Default", Ct))).Message);
        Assert.Equal("no test run yet: echo test > ctl\n", await fs.ReadTextAsync("dht/test", Ct));

        var name = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadTextAsync("nosuch/status", Ct));
        Assert.Equal(Errno.ENOENT, name.Errno);
        Assert.Equal($"supervisor: no module named 'nosuch'; the node's modules: {string.Join(", ", ModulesNode.Modules)}.", name.Message);
        Assert.Equal(Errno.ENOENT, (await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadTextAsync("Not_A_Name/status", Ct))).Errno);
    }

    [Fact]
    public async Task StopAndStartThroughCtl()
    {
        await using var fs = await node.MountAsync(Ct);
        var before = ModulesMount.Pairs(await fs.ReadTextAsync("mainline-dht/status", Ct));
        Assert.Equal("running", before["state"].Single());

        var stopped = await fs.CommandAsync("mainline-dht/ctl", "stop", Ct).WaitAsync(CommandBound, Ct);
        Assert.Matches(@"^mainline-dht stopped unknown - \d+\n$", stopped);
        var started = await fs.CommandAsync("mainline-dht/ctl", "start", Ct).WaitAsync(CommandBound, Ct);
        Assert.Matches(@"^mainline-dht running (healthy|degraded) \d+ \d+\n$", started);
        Assert.NotEqual(before["pid"].Single(), started.Split(' ')[3]);
        // a stop is not a crash
        Assert.Equal(before["restarts"].Single(), started.Split(' ')[4].TrimEnd());
    }

    [Fact]
    public async Task StartStartsTheDependencyFirstAndReportsAModuleThatExitsWhileStarting()
    {
        await using var fs = await node.MountAsync(Ct);
        foreach (var name in new[] { ModulesNode.ExplicitDependency, ModulesNode.CrashingModule })
        {
            var before = ModulesMount.Pairs(await fs.ReadTextAsync($"{name}/status", Ct));
            // never started: stopped, not taken for a crash
            Assert.Equal("stopped", before["state"].Single());
            Assert.Equal("NotStarted", before["state_detail"].Single());
            Assert.Equal("0", before["restarts"].Single());
            Assert.Equal("-", before["next_restart"].Single());
        }

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StyxErrorException>(() =>
            fs.CommandAsync($"{ModulesNode.CrashingModule}/ctl", "start", Ct).WaitAsync(CommandBound, Ct));
        TestContext.Current.TestOutputHelper?.WriteLine($"start of {ModulesNode.CrashingModule} failed after {clock.Elapsed.TotalSeconds:0.0} s: {error.Message}");
        Assert.Matches(@"^supervisor: styx-root exited with code \d+ while starting\.$", error.Message);

        var dependency = ModulesMount.Pairs(await fs.ReadTextAsync($"{ModulesNode.ExplicitDependency}/status", Ct));
        Assert.Equal("running", dependency["state"].Single());
        Assert.NotEqual("-", dependency["pid"].Single());
        Assert.NotEqual("-", (await fs.ReadTextAsync($"{ModulesNode.CrashingModule}/status", Ct)).Split('\n')
            .Single(l => l.StartsWith("last_exit_code ", StringComparison.Ordinal))["last_exit_code ".Length..]);
    }

    [Fact]
    public async Task WatchAndConfigurationAreSwitchedThroughCtlAndShowInStatus()
    {
        await using var fs = await node.MountAsync(Ct);
        Assert.Equal("dht watch on\n", await fs.CommandAsync("dht/ctl", "watch on", Ct));
        Assert.Equal("yes", ModulesMount.Pairs(await fs.ReadTextAsync("dht/status", Ct))["watch"].Single());
        Assert.Equal("dht watch off\n", await fs.CommandAsync("dht/ctl", "watch off", Ct));
        Assert.Equal("no", ModulesMount.Pairs(await fs.ReadTextAsync("dht/status", Ct))["watch"].Single());

        const string key = "Logging:LogLevel:Cheshire.Dht";
        var set = ModulesMount.Pairs(await fs.CommandAsync("dht/ctl", $"set {key} Debug", Ct));
        Assert.Equal((key, "Debug", "yes", "applied now"), (set["key"].Single(), set["value"].Single(), set["live"].Single(), set["detail"].Single()));
        Assert.Contains($"{key} Debug", ModulesMount.Pairs(await fs.ReadTextAsync("dht/status", Ct))["config"]);

        var refused = await Assert.ThrowsAsync<StyxErrorException>(() => fs.CommandAsync("dht/ctl", "set Logging:LogLevel:Default loud", Ct));
        Assert.Equal(Errno.EINVAL, refused.Errno);
        Assert.StartsWith("supervisor: ", refused.Message);

        var reset = ModulesMount.Pairs(await fs.CommandAsync("dht/ctl", $"reset {key}", Ct));
        Assert.Equal((key, "-"), (reset["key"].Single(), reset["value"].Single()));
        Assert.DoesNotContain($"{key} Debug", ModulesMount.Pairs(await fs.ReadTextAsync("dht/status", Ct))["config"]);
    }

    [GeneratedRegex(@"^[a-z0-9-]+ (starting|running|stopped|restarting|failed|unknown) (healthy|degraded|unhealthy|unknown) (-|\d+) \d+$")]
    private static partial Regex ListLine();
}
