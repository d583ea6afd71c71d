using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Cheshire.Bench.Styx;

/// <summary>
/// Two nodes of one network on loopback, each its own data folder and modules as Release processes. Node A: dht,
/// styx-provider exporting the benchmark folder at /export (allow *; mounted in A's styx-root and published in the dht),
/// styx-client serving it on its TLS link port, styx-root. Node B: dht bootstrapped from A's, styx-client, styx-root.
/// </summary>
public sealed class LinkNodes
{
    private readonly List<(string Name, Process Process)> _all = [];
    private readonly string _repoRoot;
    private readonly string _salt = "bench-link-" + Guid.NewGuid().ToString("N");

    private LinkNodes(string repoRoot) => _repoRoot = repoRoot;

    /// <summary>A's styx-root → A's provider (Unix socket).</summary>
    public Server Local { get; private set; } = null!;

    /// <summary>B's styx-root → B's styx-client → TLS link → A's styx-client → A's provider.</summary>
    public Server Remote { get; private set; } = null!;

    /// <summary>Every process started, dhts included, in start order.</summary>
    public IReadOnlyList<(string Name, Process Process)> Processes => _all;

    public static LinkNodes Start(string repoRoot, string work, string export)
    {
        var nodes = new LinkNodes(repoRoot);
        try
        {
            nodes.StartAll(work, export);
            return nodes;
        }
        catch
        {
            foreach (var (_, process) in nodes._all) Server.Stop(process);
            throw;
        }
    }

    private void StartAll(string work, string export)
    {
        var dataA = Directory.CreateDirectory(Path.Combine(work, "node-a")).FullName;
        var dataB = Directory.CreateDirectory(Path.Combine(work, "node-b")).FullName;
        File.WriteAllText(Path.Combine(dataA, "exports.json"),
            $$"""{ "/export": { "server": "export", "root": {{JsonSerializer.Serialize(export)}}, "allow": ["*"] } }""");

        int udpA = UdpPort(), linkA = Server.FreePort(), styxA = Server.FreePort(), styxB = Server.FreePort();
        var dhtA = Module("A dht", "dht", "Cheshire.Dht", dataA, new() { ["Dht:Address"] = "127.0.0.1", ["Dht:Port"] = Text(udpA) });
        var rootA = Module("A styx-root", "styx-root", "Cheshire.StyxRoot", dataA, new() { ["Styx:Endpoint"] = $"127.0.0.1:{styxA}" });
        var providerA = Module("A styx-provider", "styx-provider", "Cheshire.StyxProvider", dataA, new()
        {
            ["services:dht:grpc:0"] = dhtA.Url,
            ["services:styx-root:grpc:0"] = rootA.Url,
            ["Link:Advertise"] = $"127.0.0.1:{linkA}",
            ["Provider:ReconcileSeconds"] = "0.5",
        });
        var clientA = Module("A styx-client", "styx-client", "Cheshire.StyxClient", dataA, new()
        {
            ["services:dht:grpc:0"] = dhtA.Url,
            ["services:styx-provider:grpc:0"] = providerA.Url,
            ["Link:Endpoint"] = $"127.0.0.1:{linkA}",
        });
        // B's dht bootstraps from A's UDP port once A's dht is up (its gRPC listener answers after the node is bound).
        WaitTcp(dhtA);
        var dhtB = Module("B dht", "dht", "Cheshire.Dht", dataB, new()
        {
            ["Dht:Address"] = "127.0.0.1", ["Dht:Port"] = Text(UdpPort()), ["Dht:Bootstrap:0"] = $"127.0.0.1:{udpA}",
        });
        var clientB = Module("B styx-client", "styx-client", "Cheshire.StyxClient", dataB, new()
        {
            ["services:dht:grpc:0"] = dhtB.Url,
            ["Link:Endpoint"] = $"127.0.0.1:{Server.FreePort()}",
        });
        var rootB = Module("B styx-root", "styx-root", "Cheshire.StyxRoot", dataB, new()
        {
            ["services:styx-client:grpc:0"] = clientB.Url,
            ["Styx:Endpoint"] = $"127.0.0.1:{styxB}",
        });
        Local = new Server("A local", styxA, "/export", [rootA.Entry, providerA.Entry]);
        Remote = new Server("B→A", styxB, "/export", [rootB.Entry, clientB.Entry, clientA.Entry, providerA.Entry]);
    }

    private sealed record Started((string Name, Process Process) Entry, int GrpcPort)
    {
        public string Url => $"http://127.0.0.1:{GrpcPort}";
    }

    private Started Module(string name, string folder, string assembly, string data, Dictionary<string, string> settings)
    {
        settings["Cheshire:Salt"] = _salt;
        settings["Cheshire:DataDir"] = data;
        settings["Logging:LogLevel:Default"] = "Warning";
        // The dht asks for a mainline-dht module this benchmark does not run; its retries are not news.
        settings["Logging:LogLevel:Polly"] = "None";
        int grpc = Server.FreePort(), http = Server.FreePort();
        var arguments = string.Join(' ', settings.Select(s => $"--{s.Key}={s.Value}"));
        var process = Server.Start("dotnet", $"{Server.ModuleDll(_repoRoot, folder, assembly)} {arguments} {Server.Kestrel(grpc, http)}");
        var started = new Started((name, process), grpc);
        _all.Add(started.Entry);
        return started;
    }

    private static void WaitTcp(Started module)
    {
        var server = new Server(module.Entry.Name, module.GrpcPort, "", [module.Entry]);
        server.WaitListeningAsync().GetAwaiter().GetResult();
    }

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int UdpPort()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)udp.Client.LocalEndPoint!).Port;
    }
}
