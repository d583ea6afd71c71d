using System.Globalization;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Integration.Tests;

/// <summary>
/// Two complete nodes on one machine, started as a user starts them: two AppHost processes, each with its own
/// Cheshire:DataDir and Cheshire:PortOffset, one Cheshire:Salt; the second joins the first's dht through Dht:Bootstrap.
/// </summary>
[Collection(nameof(WholeNodeCollection))]
public sealed class NodesOnOneMachineTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _salt = "it-" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<Node> _nodes = [];

    private sealed record Node(string DataDirectory, int Offset, AppHostProcess AppHost);

    public ValueTask InitializeAsync()
    {
        var offsets = NodePortMap.FreeOffsets(2);
        var firstDht = NodePortMap.Endpoint("dht", "dht") + offsets[0];
        foreach (var offset in offsets)
        {
            var directory = ModuleProcess.NewTempDirectory("node-" + offset.ToString(CultureInfo.InvariantCulture));
            string[] settings =
            [
                $"Cheshire:DataDir={directory}",
                $"Cheshire:PortOffset={offset.ToString(CultureInfo.InvariantCulture)}",
                $"Cheshire:Salt={_salt}",
            ];
            if (_nodes.Count > 0)
                settings = [.. settings, $"Cheshire:Config:dht:Dht:Bootstrap:0=127.0.0.1:{firstDht.ToString(CultureInfo.InvariantCulture)}"];
            _nodes.Add(new Node(directory, offset, AppHostProcess.Start(settings)));
        }
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task EachNodeServesNinePOnItsOwnOffsetPortsWithItsOwnIdentity()
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = new List<(string NodeId, int DhtPort)>();
        foreach (var node in _nodes)
        {
            var styxPort = NodePortMap.Endpoint("styx-root", "styx") + node.Offset;
            var (nodeText, dhtText) = await node.AppHost.WhileRunningAsync(token => Eventually.SucceedsAsync(async () =>
            {
                return (await ReadAsync(node, "cheshire/node", token), await ReadAsync(node, "dht/node", token));
            }, StartTimeout, $"/cheshire/node and /dht/node on 127.0.0.1:{styxPort}", token), ct);

            using var identity = NodeIdentityStore.LoadOrCreate(node.DataDirectory);
            Assert.Equal(identity.NodeIdHex + "\n", nodeText);
            var dhtPort = int.Parse(dhtText.Split('\n').Single(l => l.StartsWith("port ", StringComparison.Ordinal))[5..], CultureInfo.InvariantCulture);
            Assert.Equal(NodePortMap.Endpoint("dht", "dht") + node.Offset, dhtPort);
            seen.Add((identity.NodeIdHex, dhtPort));

            // The node's gRPC port moved too, and its modules are in the network the salt names.
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{NodePortMap.Kestrel("styx-root", "grpc") + node.Offset}");
            var info = await ModuleClients.GetInfoAsync(channel, "styx-root", DateTime.UtcNow.AddSeconds(10), ct);
            Assert.Equal(identity.NodeIdHex, info.NodeId);
            Assert.Equal(_salt, info.Salt);

            // So did the supervisor's Modules API, and it speaks for the same node.
            using var supervisor = GrpcChannel.ForAddress(
                $"http://127.0.0.1:{Cheshire.Supervisor.SupervisorSettings.DefaultPort + node.Offset}");
            var modules = new Protos.Modules.Modules.ModulesClient(supervisor);
            var supervisorInfo = await modules.GetInfoAsync(new Protos.GetInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
            Assert.Equal((identity.NodeIdHex, _salt), (supervisorInfo.NodeId, supervisorInfo.Salt));

            // Every TCP listener a module.json declares (9P, the link listener) accepts on its moved port.
            foreach (var (module, endpoint, port) in NodePortMap.TcpEndpoints())
                await Eventually.SucceedsAsync(async () =>
                {
                    using var tcp = new System.Net.Sockets.TcpClient();
                    await tcp.ConnectAsync("127.0.0.1", port + node.Offset, ct);
                    return true;
                }, TimeSpan.FromSeconds(30), $"{module} {endpoint} on 127.0.0.1:{port + node.Offset}", ct);

            using var http = new HttpClient();
            var dashboard = await http.GetAsync($"http://127.0.0.1:{NodePortMap.Dashboard() + node.Offset}/", ct);
            Assert.True(dashboard.IsSuccessStatusCode, $"the dashboard of the node at offset {node.Offset} answered {dashboard.StatusCode}");
        }

        Assert.NotEqual(seen[0].NodeId, seen[1].NodeId);
        Assert.NotEqual(seen[0].DhtPort, seen[1].DhtPort);

        // Bootstrap works across offsets: each dht has the other in its routing table.
        foreach (var node in _nodes)
            await node.AppHost.WhileRunningAsync(token => Eventually.SucceedsAsync(async () =>
            {
                var other = seen.Single(s => s.DhtPort != NodePortMap.Endpoint("dht", "dht") + node.Offset);
                var routing = await ReadAsync(node, "dht/routing", token);
                var line = routing.Split('\n').Single(l => l.StartsWith(other.NodeId, StringComparison.Ordinal));
                Assert.Contains($":{other.DhtPort.ToString(CultureInfo.InvariantCulture)} ", line);
                return line;
            }, StartTimeout, $"the other node in the routing table of the node at offset {node.Offset}", token), ct);
    }

    private static async Task<string> ReadAsync(Node node, string path, CancellationToken ct)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", NodePortMap.Endpoint("styx-root", "styx") + node.Offset, ct);
        await using var fs = await StyxFs.MountAsync(tcp.GetStream(), "tester", ct: ct);
        return await fs.ReadTextAsync(path, ct);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.AppHost.DisposeAsync().AsTask()));
        foreach (var node in _nodes)
        {
            await AppHostProcess.WaitForModulesGoneAsync(node.DataDirectory);
            if (Directory.Exists(node.DataDirectory))
                Directory.Delete(node.DataDirectory, recursive: true);
        }
    }
}
