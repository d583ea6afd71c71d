using Cheshire.Mainline.Routing;
using Cheshire.Protos.Mainline;
using Cheshire.Testing;

namespace Cheshire.MainlineDht.Tests;

public sealed class RestartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Routing_table_and_node_id_survive_a_restart()
    {
        await using var a = await MainlineService.StartAsync(Ct);
        var data = ModuleProcess.NewTempDirectory("mainline-restart");
        try
        {
            var b = await MainlineService.StartAsync(Ct, bootstrap: [a.EndPoint], dataDirectory: data);
            await b.WaitForNodeAsync(a.EndPoint, TimeSpan.FromSeconds(20), Ct);
            var id = (await b.Client.StatsAsync(new StatsRequest(), cancellationToken: Ct)).NodeId;
            var port = b.UdpPort;
            Assert.Equal(0, await b.Process.StopAsync(TimeSpan.FromSeconds(30)));
            await b.DisposeAsync();

            var file = Path.Combine(data, "mainline", "routing.bencode");
            var saved = RoutingTableSnapshot.Decode(await File.ReadAllBytesAsync(file, Ct));
            Assert.Equal(id.ToByteArray(), saved.LocalId.ToArray());
            Assert.Contains(saved.Nodes, n => n.EndPoint.ToString() == a.EndPoint);

            // No bootstrap this time: the table comes from the snapshot alone.
            await using var again = await MainlineService.StartAsync(Ct, dataDirectory: data, udpPort: port);
            var table = await again.Client.RoutingTableAsync(new RoutingTableRequest(), cancellationToken: Ct);
            Assert.Equal(id, table.LocalId);
            Assert.Contains(table.Nodes, n => n.Endpoint == a.EndPoint);
            // and the restored contact is live: A's items are reachable through it.
            var put = await a.Client.PutItemAsync(new PutItemRequest { Value = Google.Protobuf.ByteString.CopyFromUtf8("i42e") }, cancellationToken: Ct);
            var got = await again.Client.GetItemAsync(new GetItemRequest { Target = put.Target }, cancellationToken: Ct);
            Assert.True(got.Found);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task A_damaged_snapshot_is_set_aside_and_the_node_starts_empty()
    {
        var data = ModuleProcess.NewTempDirectory("mainline-damaged");
        try
        {
            Directory.CreateDirectory(Path.Combine(data, "mainline"));
            await File.WriteAllTextAsync(Path.Combine(data, "mainline", "routing.bencode"), "d2:id3:abce", Ct);
            await using var node = await MainlineService.StartAsync(Ct, dataDirectory: data);
            var table = await node.Client.RoutingTableAsync(new RoutingTableRequest(), cancellationToken: Ct);
            Assert.Empty(table.Nodes);
            Assert.True(File.Exists(Path.Combine(data, "mainline", "routing.bencode.damaged")));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}

public sealed class ConfigurationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Mainline:Endpoint", "6881", "Mainline:Endpoint '6881' is not an address:port")]
    [InlineData("Mainline:Endpoint", "localhost:6881", "Mainline:Endpoint 'localhost:6881' is not an address:port")]
    [InlineData("Mainline:Bootstrap:0", "127.0.0.1", "Mainline:Bootstrap entry '127.0.0.1' is not host:port")]
    [InlineData("Mainline:CheshireDhtPort", "70000", "Mainline:CheshireDhtPort 70000 is not a port")]
    [InlineData("Mainline:ExternalAddress", "nope", "Mainline:ExternalAddress 'nope' is not an IP address")]
    public async Task Bad_settings_stop_the_module_with_a_clear_message(string key, string value, string message)
    {
        await using var process = ModuleProcess.Start(MainlineService.DllPath, new Dictionary<string, string> { [key] = value });
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains(message, process.Output);
    }

    [Fact]
    public async Task A_busy_udp_port_is_reported()
    {
        using var busy = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)busy.Client.LocalEndPoint!).Port;
        await using var process = ModuleProcess.Start(MainlineService.DllPath, new Dictionary<string, string> { ["Mainline:Endpoint"] = $"127.0.0.1:{port}" });
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains($"Mainline:Endpoint 127.0.0.1:{port}: cannot bind the UDP socket", process.Output);
    }

    [Fact]
    public async Task The_node_is_healthy_without_any_bootstrap_and_contacts_nobody()
    {
        await using var node = await MainlineService.StartAsync(Ct);
        await Task.Delay(1500, Ct);
        var stats = await node.Client.StatsAsync(new StatsRequest(), cancellationToken: Ct);
        Assert.Equal(0, stats.RoutingTableNodes);
        Assert.Empty(stats.QueriesSent);
        Assert.Contains("bootstrap: none configured", node.Process.Output);
    }
}
