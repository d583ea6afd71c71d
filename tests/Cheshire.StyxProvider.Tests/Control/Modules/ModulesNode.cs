using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests.Control.Modules;

/// <summary>
/// A whole node through the AppHost (the real supervisor and its Modules API, styx-provider given its address as the
/// AppHost gives it) whose styx-client and styx-root are explicit-start, styx-root with a bad setting
/// (Styx:ResolveSeconds 0) so that its process exits at every start. Up at start: mainline-dht, dht, styx-provider.
/// </summary>
public sealed class ModulesNode : IAsyncLifetime
{
    public const string CrashingModule = "styx-root";
    public const string ExplicitDependency = "styx-client";
    public static readonly string[] Modules = ["mainline-dht", "dht", "styx-client", "styx-provider", "styx-root"];
    public static readonly string[] StartedModules = ["mainline-dht", "dht", "styx-provider"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public string DataDirectory { get; } = ModuleProcess.NewTempDirectory("modules-tree");
    public DistributedApplication App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        string[] settings =
        [
            $"--Cheshire:DataDir={DataDirectory}",
            $"--Cheshire:Ports:styx-root:styx={FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Ports:styx-client:link={FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Supervisor:Endpoint=127.0.0.1:{FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            "--Cheshire:Supervisor:MaxRestarts=1",
            "--Cheshire:Supervisor:BackoffMilliseconds=200",
            // nothing rebuilt when someone edits the checkout meanwhile (watch on|off is switched through ctl)
            "--Cheshire:Supervisor:Watch=false",
            $"--Cheshire:ExplicitStart:{CrashingModule}=true",
            $"--Cheshire:ExplicitStart:{ExplicitDependency}=true",
            $"--Cheshire:Config:{CrashingModule}:Styx:ResolveSeconds=0",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cheshire_AppHost>(settings, cts.Token);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var module in StartedModules)
            await App.ResourceNotifications.WaitForResourceHealthyAsync(module, cts.Token);
    }

    /// <summary>A 9P connection to the node's styx-provider, attached to /modules.</summary>
    public Task<StyxFs> MountAsync(CancellationToken ct) => ModulesMount.MountAsync(DataDirectory, ct);

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
            await App.DisposeAsync();
        if (Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
