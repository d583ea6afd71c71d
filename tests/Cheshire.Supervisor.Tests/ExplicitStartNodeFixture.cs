using System.Globalization;
using Aspire.Hosting;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A whole node through the AppHost whose styx-client and styx-root are explicit-start (Cheshire:ExplicitStart:NAME, as
/// module.json "explicitStart" would make them): the node comes up with mainline-dht, dht and styx-provider only.
/// styx-root depends on styx-client, so ensuring styx-root must start styx-client first.
/// </summary>
public sealed class ExplicitStartNodeFixture : IAsyncLifetime
{
    public static readonly string[] ExplicitModules = ["styx-client", "styx-root"];
    public static readonly string[] StartedModules = ["mainline-dht", "dht", "styx-provider"];

    private GrpcChannel? _channel;

    public string DataDirectory { get; } = ModuleProcess.NewTempDirectory("explicit-start");
    public int SupervisorPort { get; } = FreePorts.Tcp();
    public DistributedApplication App { get; private set; } = null!;
    public Protos.Modules.Modules.ModulesClient Modules { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SupervisedNodeFixture.StartTimeout);
        App = await NodeApp.StartAsync(DataDirectory, SupervisorPort,
            ["--Cheshire:Supervisor:Watch=false", .. ExplicitModules.Select(m => $"--Cheshire:ExplicitStart:{m}=true")],
            StartedModules, cts.Token);
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}");
        Modules = new Protos.Modules.Modules.ModulesClient(_channel);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        if (Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
