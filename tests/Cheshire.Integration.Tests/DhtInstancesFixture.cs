using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Net.Client;

namespace Cheshire.Integration.Tests;

/// <summary>A whole node whose dht runs as three instances (dht-0, dht-1, dht-2) on loopback UDP ports.</summary>
public sealed class DhtInstancesFixture : IAsyncLifetime
{
    public const int Instances = 3;
    /// <summary>The first instance's UDP port; instance i listens on UdpPort + i (all free when the fixture starts).</summary>
    public static int UdpPort { get; } = Cheshire.Testing.FreePorts.UdpRange(Instances);
    public static readonly string[] DhtModules = [.. Enumerable.Range(0, Instances).Select(i => $"dht-{i}")];

    private readonly List<GrpcChannel> _channels = [];

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cheshire-it-dht-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        using var cts = new CancellationTokenSource(NodeFixture.StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Cheshire_AppHost>(
        [
            $"--Cheshire:DataDir={DataDirectory}",
            $"--Cheshire:Instances:dht={Instances}",
            "--Cheshire:Config:dht:Dht:Address=127.0.0.1",
            $"--Cheshire:Config:dht:Dht:Port={UdpPort}",
        ], cts.Token);
        App = await builder.BuildAsync(cts.Token);
        await App.StartAsync(cts.Token);
        foreach (var module in DhtModules.Concat(["mainline-dht", "styx-provider", "styx-client", "styx-root"]))
            await App.ResourceNotifications.WaitForResourceHealthyAsync(module, cts.Token);
    }

    public Protos.Dht.Dht.DhtClient Dht(int instance)
    {
        var channel = GrpcChannel.ForAddress(App.GetEndpoint(DhtModules[instance], "grpc"));
        _channels.Add(channel);
        return new Protos.Dht.Dht.DhtClient(channel);
    }

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
