using System.Text.RegularExpressions;
using Cheshire.Protos.Dht;
using Cheshire.Testing;
using Docker.DotNet.Models;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// The rehearsal of a deployment on a real container engine (no Kubernetes control plane runs here): three nodes
/// from the module images, configured by the manifests' settings, reached as kubectl port-forward reaches a pod.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed partial class RehearsalTests(ThreeNodes nodes) : IClassFixture<ThreeNodes>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Node_three_reads_node_one_export_through_its_styx_root()
    {
        var node3 = Require(3);
        var ct = TestContext.Current.CancellationToken;

        string text;
        try
        {
            text = await Eventually.SucceedsAsync(async () =>
            {
                await using var fs = await node3.MountAsync(ct);
                return await fs.ReadTextAsync(ThreeNodes.ExportedPath + "/hello.txt", ct);
            }, Patience, "node 3 reading /alice/node1/hello.txt", ct);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\n" + await Require(1).DescribeAsync() + await node3.DescribeAsync(), e);
        }

        Assert.Equal(ThreeNodes.ExportedText, text);
    }

    [Fact]
    public async Task Dht_keeps_answering_while_one_dht_container_is_killed_and_the_restarted_one_rejoins_with_its_saved_contacts()
    {
        var (node1, node2, node3) = (Require(1), Require(2), Require(3));
        var ct = TestContext.Current.CancellationToken;
        using var channel1 = node1.Channel("dht", 5111);
        using var channel2 = node2.Channel("dht", 5111);
        using var channel3 = node3.Channel("dht", 5111);
        var (dht1, dht2, dht3) = (new Dht.DhtClient(channel1), new Dht.DhtClient(channel2), new Dht.DhtClient(channel3));
        await Eventually.SucceedsAsync(async () =>
        {
            var info = await dht2.NodeInfoAsync(new NodeInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
            return info.RoutingTableSize >= 2 ? info : throw new InvalidOperationException($"node 2's dht knows {info.RoutingTableSize} nodes");
        }, Patience, "node 2's dht knowing both other nodes", ct);

        var before = await DhtCalls.PutAsync(dht1, "before the kill", ct);
        await nodes.Engine!.Client.Containers.KillContainerAsync(node2["dht"].Id, new ContainerKillParameters { Signal = "KILL" }, ct);
        var during = await Eventually.SucceedsAsync(() => DhtCalls.PutAsync(dht3, "while node 2's dht is down", ct), Patience, "a put with node 2's dht killed", ct);
        Assert.Equal("before the kill", await DhtCalls.GetAsync(dht3, before, ct));
        Assert.Equal("while node 2's dht is down", await DhtCalls.GetAsync(dht1, during, ct));

        await node2["dht"].StartAsync(ct);
        Assert.Equal("while node 2's dht is down",
            await Eventually.SucceedsAsync(() => DhtCalls.GetAsync(dht2, during, ct), Patience, "the restarted dht finding a value put while it was down", ct));

        // Stopped as Kubernetes stops a pod (SIGTERM) and started on the same volume: it comes back with its contacts.
        await node2["dht"].StopAsync(ct);
        await node2["dht"].StartAsync(ct);
        var rejoined = await Eventually.SucceedsAsync(async () =>
        {
            var (stdout, _) = await node2["dht"].GetLogsAsync(ct: ct);
            var starts = SavedContactsAnswered().Matches(stdout);
            if (starts.Count < 3) throw new InvalidOperationException($"{starts.Count} starts logged so far");
            return int.Parse(starts[^1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }, Patience, "the dht's third start in its log", ct);
        Assert.True(rejoined >= 1, $"the restarted dht rejoined with {rejoined} saved contacts answering");
        Assert.Equal("before the kill", await Eventually.SucceedsAsync(() => DhtCalls.GetAsync(dht2, before, ct), Patience, "a get on the restarted dht", ct));
    }

    private ContainerNode Require(int n)
    {
        nodes.Engine!.RequireImages();
        return nodes.Nodes[n - 1];
    }

    [GeneratedRegex(@"(\d+) saved contacts answered")]
    private static partial Regex SavedContactsAnswered();
}
