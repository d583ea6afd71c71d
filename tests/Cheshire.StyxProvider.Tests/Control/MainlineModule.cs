using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>The mainline-dht module as a process on 127.0.0.1, optionally bootstrapped from another one.</summary>
internal sealed class MainlineModule : IAsyncDisposable
{
    private MainlineModule(ModuleProcess process, int udpPort)
    {
        Process = process;
        UdpPort = udpPort;
    }

    public static string Dll => ModuleProcess.ModuleDll("mainline-dht", "Cheshire.MainlineDht");

    public ModuleProcess Process { get; }
    public int UdpPort { get; }
    public string UdpEndpoint => $"127.0.0.1:{UdpPort}";
    public Uri GrpcAddress => Process.GrpcAddress;

    public static async Task<MainlineModule> StartAsync(int udpPort, int? bootstrapUdpPort, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>
        {
            ["Mainline:Endpoint"] = $"127.0.0.1:{udpPort}",
            ["Mainline:QueryTimeout"] = "00:00:01",
            ["Mainline:CheshireDhtPort"] = "0",
            // every test node is on 127.0.0.1: no per-IP limit may get in the way
            ["Mainline:RateLimits:PerIpQueriesPerSecond"] = "100000",
            ["Mainline:RateLimits:PerIpBurst"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (bootstrapUdpPort is { } other) settings["Mainline:Bootstrap:0"] = $"127.0.0.1:{other}";
        var process = ModuleProcess.Start(Dll, settings);
        try
        {
            await process.WaitHealthyAsync(TimeSpan.FromSeconds(60), ct);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return new MainlineModule(process, udpPort);
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
