using Cheshire.Protos.Mainline;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.MainlineDht.Tests;

/// <summary>The mainline-dht module as a process on loopback: its UDP port, gRPC client and settings for tests.</summary>
public sealed class MainlineService : IAsyncDisposable
{
    private readonly GrpcChannel _channel;

    private MainlineService(ModuleProcess process, int udpPort)
    {
        Process = process;
        UdpPort = udpPort;
        _channel = GrpcChannel.ForAddress(process.GrpcAddress);
        Client = new global::Cheshire.Protos.Mainline.Mainline.MainlineClient(_channel);
    }

    public static string DllPath => ModuleProcess.ModuleDll("mainline-dht", "Cheshire.MainlineDht");

    public ModuleProcess Process { get; }
    public int UdpPort { get; }
    public string EndPoint => $"127.0.0.1:{UdpPort}";
    public global::Cheshire.Protos.Mainline.Mainline.MainlineClient Client { get; }

    /// <summary>Starts a node on 127.0.0.1 with test-friendly settings; <paramref name="bootstrap"/> are host:port entries.</summary>
    public static async Task<MainlineService> StartAsync(CancellationToken ct, IEnumerable<string>? bootstrap = null,
        string? dataDirectory = null, int? udpPort = null, IDictionary<string, string>? settings = null)
    {
        var port = udpPort ?? FreePorts.Udp();
        var configuration = new Dictionary<string, string>
        {
            ["Mainline:Endpoint"] = $"127.0.0.1:{port}",
            ["Mainline:SnapshotInterval"] = "00:00:02",
            ["Mainline:QueryTimeout"] = "00:00:01",
            ["Mainline:CheshireDhtPort"] = "0",
            // Every test peer is on 127.0.0.1: no per-IP limit may get in the way.
            ["Mainline:RateLimits:PerIpQueriesPerSecond"] = "100000",
            ["Mainline:RateLimits:PerIpBurst"] = "100000",
        };
        var i = 0;
        foreach (var entry in bootstrap ?? [])
            configuration[$"Mainline:Bootstrap:{i++}"] = entry;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            configuration[key] = value;
        var process = ModuleProcess.Start(DllPath, configuration, dataDirectory);
        try
        {
            await process.WaitHealthyAsync(TimeSpan.FromSeconds(60), ct);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new MainlineService(process, port);
    }

    /// <summary>Polls until the routing table holds a node on <paramref name="endPoint"/>.</summary>
    public async Task WaitForNodeAsync(string endPoint, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var table = await Client.RoutingTableAsync(new RoutingTableRequest(), cancellationToken: ct);
            if (table.Nodes.Any(n => n.Endpoint == endPoint))
                return;
            await Task.Delay(200, ct);
        }
        var last = await Client.RoutingTableAsync(new RoutingTableRequest(), cancellationToken: ct);
        throw new TimeoutException($"{EndPoint} never put {endPoint} in its routing table; it has [{string.Join(", ", last.Nodes.Select(n => n.Endpoint))}]");
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await Process.DisposeAsync();
    }
}
