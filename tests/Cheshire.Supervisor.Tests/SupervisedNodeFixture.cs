using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Cheshire.Protos.Modules;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// One whole node through the AppHost, its supervisor on a free port with a small restart budget, and styx-root given a
/// bad setting (Styx:ResolveSeconds 0) so that it exits at every start.
/// </summary>
public sealed class SupervisedNodeFixture : IAsyncLifetime
{
    public const string CrashingModule = "styx-root";
    public const int MaxRestarts = 2;
    public static readonly string[] HealthyModules = ["mainline-dht", "dht", "styx-provider", "styx-client"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly List<GrpcChannel> _channels = [];

    public string DataDirectory { get; } = ModuleProcess.NewTempDirectory("supervisor");
    public int SupervisorPort { get; } = FreePorts.Tcp();
    public DistributedApplication App { get; private set; } = null!;
    public Protos.Modules.Modules.ModulesClient Modules { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        string[] settings =
        [
            $"--Cheshire:DataDir={DataDirectory}",
            $"--Cheshire:Ports:styx-root:styx={FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Ports:styx-client:link={FreePorts.Tcp().ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Supervisor:Endpoint=127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}",
            $"--Cheshire:Supervisor:MaxRestarts={MaxRestarts.ToString(CultureInfo.InvariantCulture)}",
            "--Cheshire:Supervisor:WindowSeconds=300",
            "--Cheshire:Supervisor:BackoffMilliseconds=200",
            // An edit to the checkout while these tests run must not rebuild and restart their modules.
            "--Cheshire:Supervisor:Watch=false",
            $"--Cheshire:Config:{CrashingModule}:Styx:ResolveSeconds=0",
        ];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cheshire_AppHost>(settings, cts.Token);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var module in HealthyModules)
            await App.ResourceNotifications.WaitForResourceHealthyAsync(module, cts.Token);
        Modules = new Protos.Modules.Modules.ModulesClient(Channel($"http://127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    public GrpcChannel Channel(string address)
    {
        var channel = GrpcChannel.ForAddress(address);
        _channels.Add(channel);
        return channel;
    }

    public GrpcChannel ModuleChannel(string module) => Channel(App.GetEndpoint(module, "grpc").ToString());

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
            channel.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        if (Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
