using Cheshire.Testing;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;

namespace Cheshire.Integration.Tests;

/// <summary>One whole Cheshire node started through the AppHost, with its own data folder.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public static readonly string[] Modules = ["mainline-dht", "dht", "styx-provider", "styx-client", "styx-root"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly List<GrpcChannel> _channels = [];

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cheshire-it-" + Guid.NewGuid().ToString("N"));

    /// <summary>styx-root's 9P port: a free one, so a node the user runs on 6666 is left alone.</summary>
    public int StyxPort { get; } = FreePorts.Tcp();

    /// <summary>styx-client's link port (all interfaces): a free one, not 5660 of a node the user runs.</summary>
    public int LinkPort { get; } = FreePorts.Tcp();

    public DistributedApplication App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cheshire_AppHost>(
            [$"--Cheshire:DataDir={DataDirectory}", $"--Cheshire:Ports:styx-root:styx={StyxPort}",
             $"--Cheshire:Ports:styx-client:link={LinkPort}"], cts.Token);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var module in Modules)
            await App.ResourceNotifications.WaitForResourceHealthyAsync(module, cts.Token);
    }

    public GrpcChannel Channel(string module)
    {
        var channel = GrpcChannel.ForAddress(App.GetEndpoint(module, "grpc"));
        _channels.Add(channel);
        return channel;
    }

    public async Task WaitForStateAsync(string module, string state, CancellationToken cancellationToken) =>
        await App.ResourceNotifications.WaitForResourceAsync(module, e => e.Snapshot.State?.Text == state, cancellationToken);

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
