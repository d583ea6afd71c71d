using System.Net;
using System.Net.Sockets;
using Cheshire.Testing;

namespace Cheshire.StyxRoot.Tests;

/// <summary>The built styx-root module as its own process, with its 9P listener on a free loopback port.</summary>
public sealed class StyxRootProcess : IAsyncDisposable
{
    private readonly ModuleProcess _module;

    private StyxRootProcess(ModuleProcess module, int styxPort)
    {
        _module = module;
        StyxPort = styxPort;
    }

    public static string DllPath { get; } = ModuleProcess.ModuleDll("styx-root", "Cheshire.StyxRoot");

    public int StyxPort { get; }
    public string DataDirectory => _module.DataDirectory;
    public Uri GrpcAddress => _module.GrpcAddress;
    public string Output => _module.Output;

    /// <summary>Starts the module; <paramref name="settings"/> are extra configuration keys (they win over the defaults here).</summary>
    public static StyxRootProcess Start(IDictionary<string, string>? settings = null)
    {
        var port = FreePorts.Tcp();
        var configuration = new Dictionary<string, string> { ["Styx:Endpoint"] = $"127.0.0.1:{port}" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            configuration[key] = value;
        return new StyxRootProcess(ModuleProcess.Start(DllPath, configuration), port);
    }

    /// <summary>
    /// Waits until /health answers: Healthy, or Degraded, which is what styx-root says here while styx-provider and
    /// styx-client (module.json dependsOn) are not running beside it.
    /// </summary>
    public Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct) => _module.WaitHealthyAsync(timeout, ct);

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _module.WaitForExitAsync(timeout);

    public async Task<TcpClient> ConnectStyxAsync(CancellationToken ct)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, StyxPort, ct);
        return tcp;
    }

    public ValueTask DisposeAsync() => _module.DisposeAsync();
}
