using System.Globalization;
using Aspire.Hosting;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A whole node through the AppHost whose supervisor watches and builds a copy of the sources (Cheshire:SourceDir), so
/// tests can edit dht's sources there; builds go to the node's data folder.
/// </summary>
public sealed class ReloadingNodeFixture : IAsyncLifetime
{
    public const string Module = "dht";
    public static readonly string[] Modules = ["mainline-dht", "dht", "styx-provider", "styx-client", "styx-root"];

    private readonly List<GrpcChannel> _channels = [];

    public SourceCopy Sources { get; } = new();
    public string DataDirectory { get; } = ModuleProcess.NewTempDirectory("reloading");
    public int SupervisorPort { get; } = FreePorts.Tcp();
    public DistributedApplication App { get; private set; } = null!;
    public Protos.Modules.Modules.ModulesClient ModulesClient { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SupervisedNodeFixture.StartTimeout);
        App = await NodeApp.StartAsync(DataDirectory, SupervisorPort, [$"--Cheshire:SourceDir={Sources.Root}", "--Cheshire:Supervisor:Watch=true"], Modules, cts.Token);
        ModulesClient = new Protos.Modules.Modules.ModulesClient(Channel($"http://127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    public GrpcChannel Channel(string address)
    {
        var channel = GrpcChannel.ForAddress(address);
        _channels.Add(channel);
        return channel;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
            channel.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        Sources.Dispose();
        if (Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
