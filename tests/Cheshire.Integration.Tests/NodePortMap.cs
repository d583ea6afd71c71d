using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Cheshire.AppHost;
using Cheshire.Modules;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests;

/// <summary>
/// Every fixed port a node started from this repository uses by default (module.json endpoints, the modules'
/// appsettings.json Kestrel endpoints, the AppHost's launch profile, the supervisor's Modules API), and offsets that move all of them onto free ports.
/// </summary>
public static class NodePortMap
{
    private static readonly ModuleGraph Graph = ModuleGraph.Load(Path.Combine(ModuleProcess.RepositoryRoot, "services"));

    private static readonly JsonNode LaunchProfile = JsonNode.Parse(File.ReadAllText(Path.Combine(ModuleProcess.RepositoryRoot,
        "orchestrator", "Cheshire.AppHost", "Properties", "launchSettings.json")))!["profiles"]!["http"]!;

    public static IReadOnlyList<(ProtocolType Protocol, int Port)> Defaults()
    {
        var ports = new List<(ProtocolType, int)>();
        foreach (var module in Graph.Modules)
        {
            ports.AddRange(module.Endpoints.Select(e => (e.Protocol == "udp" ? ProtocolType.Udp : ProtocolType.Tcp, e.Port)));
            ports.AddRange(KestrelEndpoints(module).Select(e => (ProtocolType.Tcp, e.Port)));
        }
        var urls = new List<string> { (string)LaunchProfile["applicationUrl"]! };
        foreach (var key in DashboardPorts.Keys)
            if (LaunchProfile["environmentVariables"]?[key] is { } value)
                urls.Add((string)value!);
        ports.AddRange(urls.SelectMany(u => u.Split(';')).Select(u => (ProtocolType.Tcp, new Uri(u).Port)));
        ports.Add((ProtocolType.Tcp, Cheshire.Supervisor.SupervisorSettings.DefaultPort)); // the Modules API
        return ports;
    }

    /// <summary>The default port of a module.json endpoint.</summary>
    public static int Endpoint(string module, string endpoint) => Graph[module].Endpoints.Single(e => e.Name == endpoint).Port;

    /// <summary>Every TCP port a module binds itself (module.json endpoints), by module and endpoint name.</summary>
    public static IEnumerable<(string Module, string Endpoint, int Port)> TcpEndpoints() =>
        Graph.Modules.SelectMany(m => m.Endpoints.Where(e => e.Protocol == "tcp").Select(e => (m.Name, e.Name, e.Port)));

    /// <summary>The default port of a module's gRPC ("grpc") or health ("http") endpoint.</summary>
    public static int Kestrel(string module, string endpoint) => KestrelEndpoints(Graph[module]).Single(e => e.Name == endpoint).Port;

    /// <summary>The dashboard's default port (the launch profile's applicationUrl).</summary>
    public static int Dashboard() => new Uri((string)LaunchProfile["applicationUrl"]!).Port;

    private static IEnumerable<(string Name, int Port)> KestrelEndpoints(ModuleDescriptor module)
    {
        var settings = JsonNode.Parse(File.ReadAllText(Path.Combine(module.Directory, "appsettings.json")))!;
        return settings["Kestrel"]!["Endpoints"]!.AsObject().Select(e => (e.Key, new Uri((string)e.Value!["Url"]!).Port));
    }

    /// <summary>
    /// Offsets, one per node, under which every default port is free now and no two nodes share a port. They keep the
    /// ports below 32768, out of the kernel's range for outgoing connections.
    /// </summary>
    public static int[] FreeOffsets(int nodes)
    {
        var defaults = Defaults();
        var taken = new HashSet<(ProtocolType, int)>();
        var offsets = new List<int>();
        for (var attempt = 0; offsets.Count < nodes; attempt++)
        {
            if (attempt == 200)
                throw new InvalidOperationException($"no {nodes} port offsets with every port free found in 200 attempts");
            var offset = Random.Shared.Next(1000, 32768 - defaults.Max(p => p.Port));
            var moved = defaults.Select(p => (p.Protocol, p.Port + offset)).ToList();
            if (moved.Any(taken.Contains) || !moved.All(p => IsFree(p.Protocol, p.Item2)))
                continue;
            taken.UnionWith(moved);
            offsets.Add(offset);
        }
        return [.. offsets];
    }

    /// <summary>Whether the port can be bound on every interface (the dht binds UDP on all of them).</summary>
    private static bool IsFree(ProtocolType protocol, int port)
    {
        var type = protocol == ProtocolType.Udp ? SocketType.Dgram : SocketType.Stream;
        try
        {
            using var socket = Socket.OSSupportsIPv6 ? new Socket(AddressFamily.InterNetworkV6, type, protocol) { DualMode = true }
                : new Socket(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
