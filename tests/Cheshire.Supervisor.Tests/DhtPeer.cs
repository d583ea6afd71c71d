using System.Globalization;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A dht outside the node for the node's dht to join: a lone dht knows no other node and says so in its health
/// (Degraded), so with a peer Healthy is what every module reports while the node is whole.
/// </summary>
public sealed class DhtPeer : IAsyncDisposable
{
    private readonly int _port = FreePorts.Udp();
    private ModuleProcess? _process;

    /// <summary>Its UDP endpoint, for a dht's Dht:Bootstrap:0.</summary>
    public string Endpoint => $"127.0.0.1:{_port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The AppHost setting that makes the node's dht bootstrap from this peer.</summary>
    public string BootstrapSetting => $"--Cheshire:Config:dht:Dht:Bootstrap:0={Endpoint}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _process = ModuleProcess.Start(ModuleProcess.ModuleDll("dht", "Cheshire.Dht"), new Dictionary<string, string>
        {
            ["Dht:Address"] = "127.0.0.1",
            ["Dht:Port"] = _port.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _process.WaitHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
    }
}
