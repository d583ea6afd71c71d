using System.Text.Json;
using Cheshire.Testing;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// Two nodes of one network as module processes, each in its own data folder. Node A: dht, styx-provider exporting a
/// temp directory at /alice/music to everyone (also mounted in A's own styx-root), styx-client serving it on its link
/// port. Node B: a dht joined to A's, styx-client and styx-root (9P on <see cref="StyxPort"/>), which resolves
/// /alice/music through the global namespace.
/// </summary>
public sealed class TwoNodesHost : IAsyncDisposable
{
    public const string ExportPath = "/alice/music";

    private readonly ModuleNetwork _network = new("interop-two-nodes");

    private TwoNodesHost() => ExportDir = _network.NewFolder("alice-music");

    /// <summary>A's exported directory on the host's disk.</summary>
    public string ExportDir { get; }

    /// <summary>B's styx-root 9P port on 127.0.0.1.</summary>
    public int StyxPort { get; private set; }

    public static async Task<TwoNodesHost> StartAsync(TimeSpan bound, CancellationToken ct)
    {
        var host = new TwoNodesHost();
        try
        {
            await host.StartNodesAsync(bound, ct);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task StartNodesAsync(TimeSpan bound, CancellationToken ct)
    {
        // These nodes run no mainline-dht (and B no styx-provider): their modules report Degraded, which counts as up.
        var (nodeA, _) = await _network.StartExportingNodeWithRootAsync(
            $$"""{ {{JsonSerializer.Serialize(ExportPath)}}: { "server": "export", "root": {{JsonSerializer.Serialize(ExportDir)}}, "allow": ["*"] } }""", bound, ct);
        var (_, rootB) = await _network.StartImportingNodeWithRootAsync(_network.NewFolder("node"), nodeA.DhtEndpoint, bound, ct);
        StyxPort = rootB.Port;
    }

    /// <summary>Every module's output, for failure messages.</summary>
    public string Describe() => _network.Describe();

    public ValueTask DisposeAsync() => _network.DisposeAsync();
}
