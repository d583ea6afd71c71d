using System.Globalization;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// One whole node with every module healthy: its dht joins a dht peer outside the node (a lone dht knows no other node
/// and says so in its health, Degraded), so Healthy is what every module reports while the node is whole.
/// </summary>
public sealed class ServingNodeFixture() : NodeFixture("serving-node", Names)
{
    public static readonly string[] Names = ["mainline-dht", "dht", "styx-provider", "styx-client", "styx-root"];

    private ModuleProcess? _peer;
    private readonly int _peerPort = FreePorts.Udp();

    protected override IEnumerable<string> Settings => [$"--Cheshire:Config:dht:Dht:Bootstrap:0=127.0.0.1:{_peerPort.ToString(CultureInfo.InvariantCulture)}"];

    protected override async Task BeforeStartAsync(CancellationToken cancellationToken)
    {
        _peer = ModuleProcess.Start(ModuleProcess.ModuleDll("dht", "Cheshire.Dht"), new Dictionary<string, string>
        {
            ["Dht:Address"] = "127.0.0.1",
            ["Dht:Port"] = _peerPort.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _peer.WaitHealthyAsync(TimeSpan.FromSeconds(60), cancellationToken);
    }

    protected override async ValueTask DisposeMoreAsync()
    {
        if (_peer is not null)
            await _peer.DisposeAsync();
    }
}
