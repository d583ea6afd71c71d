using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// One whole node through the AppHost (see <see cref="NodeApp"/>): its data in a fresh folder, its supervisor on a free
/// port, started with the node's <see cref="Settings"/> and ready once <c>healthyModules</c> are healthy. A test class's
/// fixture derives from it and names what its node differs in.
/// </summary>
public abstract class NodeFixture(string name, IReadOnlyList<string> healthyModules) : IAsyncLifetime
{
    private readonly List<GrpcChannel> _channels = [];

    public string DataDirectory { get; } = ModuleProcess.NewTempDirectory(name);
    public int SupervisorPort { get; private set; } = FreePorts.Tcp();
    public DistributedApplication App { get; private set; } = null!;
    /// <summary>The supervisor's Modules API.</summary>
    public Protos.Modules.Modules.ModulesClient Modules { get; private set; } = null!;

    /// <summary>AppHost settings (--KEY=VALUE) on top of <see cref="NodeApp"/>'s.</summary>
    protected virtual IEnumerable<string> Settings => [];

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(SupervisedNodeFixture.StartTimeout);
        await BeforeStartAsync(cts.Token);
        App = await NodeApp.StartAsync(DataDirectory, SupervisorPort, Settings, healthyModules, cts.Token);
        Modules = new Protos.Modules.Modules.ModulesClient(Channel($"http://127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>
    /// Stops the node and starts it again on the same data folder and settings. The supervisor gets a fresh port (and
    /// <see cref="Modules"/> a client for it): while the node is down, any outgoing connection may take the old one.
    /// </summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await App.DisposeAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(SupervisedNodeFixture.StartTimeout);
        SupervisorPort = FreePorts.Tcp();
        App = await NodeApp.StartAsync(DataDirectory, SupervisorPort, Settings, healthyModules, cts.Token);
        Modules = new Protos.Modules.Modules.ModulesClient(Channel($"http://127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>A channel closed with the node.</summary>
    public GrpcChannel Channel(string address)
    {
        var channel = GrpcChannel.ForAddress(address);
        _channels.Add(channel);
        return channel;
    }

    /// <summary>A channel to a module's gRPC endpoint (Aspire's proxy in front of it).</summary>
    public GrpcChannel ModuleChannel(string module) => Channel(App.GetEndpoint(module, "grpc").ToString());

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels)
            channel.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        await DisposeMoreAsync();
        if (Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>What a fixture sets up before the node starts (e.g. a peer outside it).</summary>
    protected virtual Task BeforeStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>What a fixture cleans up besides the node, after it has stopped.</summary>
    protected virtual ValueTask DisposeMoreAsync() => ValueTask.CompletedTask;
}
