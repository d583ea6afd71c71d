using Cheshire.Protos;
using Cheshire.Protos.Modules;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// Modules.Install and Uninstall in a whole node: packages exported by the node's styx-provider at /pkg are read through
/// styx-root, built and tested into DATADIR/builds/installed, started by the supervisor, and removed again.
/// </summary>
[Collection(nameof(InstallNode))]
public sealed class InstallTests(InstallNodeFixture node)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task APackageIsInstalledServesAsAModuleSurvivesANodeRestartAndIsUninstalled()
    {
        ModulePackage.Write(node.Packages, "hello");

        var reply = await InstallAsync("hello");
        TestContext.Current.TestOutputHelper?.WriteLine($"install of hello: copy {reply.CopyTime.ToTimeSpan().TotalSeconds:0.0} s, " +
            $"build {reply.BuildTime.ToTimeSpan().TotalSeconds:0.0} s, test {reply.TestTime.ToTimeSpan().TotalSeconds:0.0} s, start {reply.StartTime.ToTimeSpan().TotalSeconds:0.0} s");

        Assert.Equal("hello", reply.Name);
        Assert.Equal(node.NodeUid, reply.OwnerUid);
        Assert.Equal(Path.Combine(node.DataDirectory, "modules", "hello"), reply.Directory);
        Assert.Equal("1 tests passed", reply.Tests);
        Assert.Equal(ModuleState.Running, reply.Status.State);
        Assert.Equal(ModuleHealth.Healthy, reply.Status.Health);
        Assert.StartsWith("1.", reply.BuildId);
        Assert.True(File.Exists(Path.Combine(reply.Directory, "module.json")));

        // Modules.Get answers for it as for a built-in module, and the module's own GetInfo agrees.
        var status = await node.Modules.GetAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct);
        Assert.Equal(ModuleState.Running, status.State);
        Assert.Equal(ModuleHealth.Healthy, status.Health);
        Assert.Equal(reply.BuildId, status.BuildId);
        Assert.Equal(["grpc", "http"], status.Endpoints.Select(e => e.Name).Order());
        var info = await GetInfoAsync(status);
        Assert.Equal("hello", info.Module);
        Assert.EndsWith("+" + reply.BuildId, info.Version);
        Assert.Equal(status.ProcessId, info.ProcessId);
        Assert.Equal(node.NodeUid.Length, info.NodeId.Length);
        var listed = Assert.Single((await ListAsync()).Modules, m => m.Name == "hello");
        Assert.Equal((ModuleState.Running, ModuleHealth.Healthy, status.ProcessId, reply.BuildId), (listed.State, listed.Health, listed.ProcessId, listed.BuildId));

        // It serves its own endpoint, from its build folder in the node's build tree.
        var http = status.Endpoints.Single(e => e.Name == "http").Url;
        using var client = new HttpClient();
        Assert.Equal(ModulePackage.Greeting, await client.GetStringAsync($"{http}/greeting", Ct));
        var commandLine = await File.ReadAllTextAsync($"/proc/{status.ProcessId}/cmdline", Ct);
        Assert.Contains(Path.Combine(node.DataDirectory, "builds", "installed", "hello", "1", "Hello.dll"), commandLine);

        // The same name again is refused, and what runs is left as it is.
        var again = await InstallFailsAsync("hello");
        Assert.Equal(StatusCode.AlreadyExists, again.StatusCode);
        Assert.Contains("already has a module named 'hello'", again.Status.Detail);
        Assert.Equal(status.ProcessId, (await node.Modules.GetAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct)).ProcessId);

        // A value set at run time (Modules.SetConfig, to the module's own ModuleConfig) applies at once and is kept.
        var set = await node.Modules.SetConfigAsync(new SetModuleConfigRequest { Name = "hello", Key = "Hello:Words", Value = "hello again" },
            cancellationToken: Ct);
        Assert.Equal(("Hello:Words", "hello again", true), (set.Key, set.Value, set.Live));
        Assert.Equal("hello again", await ModulePackage.GreetingAsync(status, Ct));

        // It is in the module folder: the node starts it again, from the same build, with the value set.
        var restart = System.Diagnostics.Stopwatch.StartNew();
        await node.RestartAsync(Ct);
        var restarted = await Eventually.SucceedsAsync(async () =>
        {
            var s = await node.Modules.GetAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct);
            return s.Health == ModuleHealth.Healthy ? s : throw new InvalidOperationException($"hello is {s.State}, {s.HealthDetail}");
        }, TimeSpan.FromSeconds(30), "hello healthy after the node restarted", Ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"node restart until hello healthy: {restart.Elapsed.TotalSeconds:0.0} s");
        Assert.NotEqual(status.ProcessId, restarted.ProcessId);
        Assert.Equal(reply.BuildId, restarted.BuildId);
        Assert.EndsWith("+" + reply.BuildId, (await GetInfoAsync(restarted)).Version);
        Assert.Equal("hello again", await ModulePackage.GreetingAsync(restarted, Ct));
        Assert.Contains(restarted.Config, c => c.Key == "Hello:Words" && c.Value == "hello again");

        // Stop, start (through the namespace: /modules/hello/ctl, which is Ensure) and Restart, as for the node's own modules.
        var stopped = await node.Modules.StopAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct);
        Assert.Equal((ModuleState.Stopped, 0), (stopped.State, stopped.ProcessId));
        Assert.False(File.Exists($"/proc/{restarted.ProcessId}/cmdline"));
        // styx-provider mounts /modules in styx-root a moment after both are healthy.
        await Eventually.SucceedsAsync(async () =>
        {
            await using var fs = await node.MountNamespaceAsync(Ct);
            await fs.WriteTextAsync("modules/hello/ctl", "start\n", Ct);
            return true;
        }, TimeSpan.FromSeconds(30), "start through /modules/hello/ctl", Ct);
        var started = await node.Modules.GetAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct);
        Assert.Equal((ModuleState.Running, ModuleHealth.Healthy), (started.State, started.Health));
        Assert.Equal(started.ProcessId, (await GetInfoAsync(started)).ProcessId);
        restarted = await node.Modules.RestartAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct);
        Assert.Equal((ModuleState.Running, ModuleHealth.Healthy), (restarted.State, restarted.Health));
        Assert.NotEqual(started.ProcessId, restarted.ProcessId);
        Assert.Equal(restarted.ProcessId, (await GetInfoAsync(restarted)).ProcessId);

        // Uninstall (through the namespace: /modules/hello/ctl, which is Modules.Uninstall) stops it and removes it; the
        // node forgets it.
        await using (var fs = await node.MountNamespaceAsync(Ct))
            Assert.Equal($"uninstalled hello\ndirectory {reply.Directory}\nstopped_pid {restarted.ProcessId}\n",
                await fs.CommandAsync("modules/hello/ctl", "uninstall", Ct));
        Assert.False(Directory.Exists(reply.Directory));
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "builds", "installed", "hello")));
        Assert.False(File.Exists($"/proc/{restarted.ProcessId}/cmdline"));
        Assert.DoesNotContain((await ListAsync()).Modules, m => m.Name == "hello");
        var gone = await Assert.ThrowsAsync<RpcException>(() => node.Modules.GetAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        var twice = await Assert.ThrowsAsync<RpcException>(() => node.Modules.UninstallAsync(new ModuleRequest { Name = "hello" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, twice.StatusCode);
        Assert.Equal("no installed module named 'hello'; installed: none.", twice.Status.Detail);
    }

    [Fact]
    public async Task ABuiltInModuleIsNeitherReplacedNorUninstalled()
    {
        ModulePackage.Write(node.Packages, "dht");

        var install = await InstallFailsAsync("dht");
        Assert.Equal(StatusCode.AlreadyExists, install.StatusCode);
        Assert.Equal("the node already has a module named 'dht' (from /pkg/dht); remove it first or rename the package.", install.Status.Detail);

        var uninstall = await Assert.ThrowsAsync<RpcException>(() => node.Modules.UninstallAsync(new ModuleRequest { Name = "dht" }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, uninstall.StatusCode);
        Assert.Equal("'dht' is built into the node, not installed: only modules added by Modules.Install can be uninstalled (Modules.Stop stops it).",
            uninstall.Status.Detail);
        // The same through the namespace: echo uninstall > /modules/dht/ctl is refused (EPERM, the supervisor's refusal).
        await using (var fs = await node.MountNamespaceAsync(Ct))
        {
            var ctl = await Assert.ThrowsAsync<StyxErrorException>(() => fs.WriteTextAsync("modules/dht/ctl", "uninstall\n", Ct));
            Assert.Equal(Errno.EPERM, ctl.Errno);
        }
        var dht = Assert.Single((await ListAsync()).Modules, m => m.Name == "dht");
        Assert.Equal(ModuleState.Running, dht.State);
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "modules", "dht")));
    }

    [Fact]
    public async Task APackageThatDoesNotBuildIsRefusedWithTheCompilerErrorAndNothingStarts()
    {
        ModulePackage.Write(node.Packages, "broken", program: "var x = ;\n");

        var error = await InstallFailsAsync("broken");

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("broken does not build", error.Status.Detail);
        Assert.Contains("Program.cs(1,9): error CS1525", error.Status.Detail);
        await AssertNothingInstalledAsync("broken");
    }

    [Fact]
    public async Task APackageWhoseTestsFailIsRefusedNamingTheTestAndNothingStarts()
    {
        ModulePackage.Write(node.Packages, "failing", test: "Assert.Equal(\"bonjour\", Greeting.Text)");

        var error = await InstallFailsAsync("failing");

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.StartsWith("failing tests failed: 1 of 1 tests failed", error.Status.Detail);
        Assert.Contains("Hello.Tests.GreetingTests.GreetsInEnglish", error.Status.Detail);
        await AssertNothingInstalledAsync("failing");
    }

    [Fact]
    public async Task APackageOfAnOwnerTheNodeDoesNotTrustIsRefusedNamingTheOwnerAndNothingIsInstalled()
    {
        ModulePackage.Write(node.StrangerPackages, "stranger");
        var path = $"{InstallNodeFixture.StrangerExportPath}/stranger";

        // The other node's export is found through the node's dht once its entry is published (a miss is cached a few seconds).
        var error = await Eventually.SucceedsAsync(async () =>
        {
            var e = await Assert.ThrowsAsync<RpcException>(() => node.Modules.InstallAsync(new InstallRequest { Path = path }, cancellationToken: Ct).ResponseAsync);
            return e.StatusCode == StatusCode.NotFound ? throw new InvalidOperationException(e.Status.Detail) : e;
        }, TimeSpan.FromSeconds(60), $"{path} imported from the other node", Ct);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Equal($"{path} is owned by {node.StrangerUid}, whom this node does not trust: only the node's user {node.NodeUid} and the uids in " +
            "Cheshire:Supervisor:TrustedUids (none) may install modules.", error.Status.Detail);
        await AssertNothingInstalledAsync("stranger");
    }

    [Theory]
    [InlineData("/pkg/none", StatusCode.InvalidArgument, "/pkg/none is not a module package: it has no module.json.")]
    [InlineData("/pkg/missing", StatusCode.NotFound, "/pkg/missing does not exist in the node's namespace.")]
    [InlineData("pkg/hello", StatusCode.InvalidArgument, "'pkg/hello' is not an absolute path below / in the node's namespace.")]
    [InlineData("/pkg/../etc", StatusCode.InvalidArgument, "'/pkg/../etc' is not canonical: no empty, '.' or '..' names.")]
    [InlineData("", StatusCode.InvalidArgument, "path is empty: give the package's path in the node's namespace, e.g. /alice/modules/hello.")]
    public async Task ABadPathIsRefused(string path, StatusCode code, string message)
    {
        Directory.CreateDirectory(Path.Combine(node.Packages, "none"));
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            node.Modules.InstallAsync(new InstallRequest { Path = path }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(code, error.StatusCode);
        Assert.Equal(message, error.Status.Detail);
    }

    [Fact]
    public async Task AnInvalidDescriptorIsRefusedWithTheDescriptorsReason()
    {
        var root = ModulePackage.Write(node.Packages, "badname");
        await File.WriteAllTextAsync(Path.Combine(root, "module.json"), """{ "name": "Bad_Name", "project": "Hello.csproj" }""", Ct);

        var error = await InstallFailsAsync("badname");

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("module name 'Bad_Name' must be lower-case letters, digits and '-'", error.Status.Detail);
        Assert.False(Directory.Exists(Path.Combine(node.InstalledDirectory, "badname")));
        Assert.False(Directory.Exists(Path.Combine(node.InstalledDirectory, "Bad_Name")));
    }

    private async Task<InstallReply> InstallAsync(string package) =>
        await node.Modules.InstallAsync(new InstallRequest { Path = $"{InstallNodeFixture.ExportPath}/{package}" }, cancellationToken: Ct);

    private Task<RpcException> InstallFailsAsync(string package) => Assert.ThrowsAsync<RpcException>(() => InstallAsync(package));

    private async Task<ListModulesReply> ListAsync() => await node.Modules.ListAsync(new ListModulesRequest(), cancellationToken: Ct);

    private static Task<ModuleInfo> GetInfoAsync(ModuleStatus status) => ModulePackage.GetInfoAsync(status, Ct);

    /// <summary>A refused install leaves no folder, no build and no process.</summary>
    private async Task AssertNothingInstalledAsync(string name)
    {
        Assert.DoesNotContain((await ListAsync()).Modules, m => m.Name == name);
        Assert.False(Directory.Exists(Path.Combine(node.InstalledDirectory, name)));
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, "builds", "installed", name)));
        Assert.Empty(Directory.EnumerateDirectories(node.InstalledDirectory, ".staging-*"));
    }
}
