using Cheshire.Deploy.Tests.Containers;
using Cheshire.Deploy.Tests.Manifests;
using Cheshire.Protos.Dht;
using Cheshire.Styx.Client;
using Cheshire.Testing;
using Docker.DotNet.Models;

namespace Cheshire.Deploy.Tests.Swarm;

/// <summary>
/// Scaling single services on a real orchestrator: Docker swarm mode on the local engine, the node deployed from the
/// stack file deploy/swarm-stack.sh generates from the manifests' settings. dht scaled from 1 to 3 replicas forms one
/// DHT (each bootstraps through tasks.dht, as through the headless Service); styx-root scaled to 2 replicas serves the
/// same namespace through each. A killed dht task comes back in its slot as the same DHT node.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class SwarmRehearsalTests
{
    private const string ExportedPath = "alice/swarm";
    private const string ExportedText = "served by every styx-root replica\n";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Scaled_dht_replicas_form_one_dht_and_scaled_styx_root_replicas_serve_the_same_namespace()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var engine = await DockerEngine.StartAsync();
        engine.RequireImages();
        var folder = Directory.CreateTempSubdirectory("cheshire-swarm-");
        try
        {
            var stackFile = await WriteStackFileAsync(folder.FullName, ct);
            await using var swarm = await LocalSwarm.JoinAsync();
            await using var stack = await SwarmStack.DeployAsync(stackFile);
            try
            {
                await ScaleAndCheckAsync(engine, ct);
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException(e.Message + "\n" + await SwarmStack.DescribeAsync(), e);
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task ScaleAndCheckAsync(DockerEngine engine, CancellationToken ct)
    {
        // One dht first, answering alone, then scaled up as `docker service scale` does it.
        var first = (await Eventually.SucceedsAsync(() => Replicas("dht", 1), Patience, "the dht task running", ct)).Single();
        using (var channel = ExecChannel.For(engine.Client, first, 5111))
            await Eventually.SucceedsAsync(() => NodeInfoAsync(new Dht.DhtClient(channel), 0, ct), Patience, "the lone dht answering", ct);
        await SwarmStack.ScaleAsync(("dht", 3), ("styx-root", 2));

        var dhts = await Eventually.SucceedsAsync(() => Replicas("dht", 3), Patience, "three dht tasks running", ct);
        var channels = dhts.Select(id => ExecChannel.For(engine.Client, id, 5111)).ToList();
        try
        {
            var clients = channels.Select(c => new Dht.DhtClient(c)).ToList();
            var infos = new List<NodeInfoReply>();
            foreach (var (dht, i) in clients.Select((c, i) => (c, i)))
                infos.Add(await Eventually.SucceedsAsync(() => NodeInfoAsync(dht, 2, ct), Patience, $"dht replica {i + 1} knowing the two others", ct));
            Assert.Equal(3, infos.Select(info => info.Id).Distinct().Count());

            var name = await Eventually.SucceedsAsync(() => DhtCalls.PutAsync(clients[0], "put on replica 1", ct), Patience, "a put stored on the other replicas", ct);
            Assert.Equal("put on replica 1", await DhtCalls.GetAsync(clients[2], name, ct));
            Assert.Equal("put on replica 1", await DhtCalls.GetAsync(clients[1], name, ct));

            // Killed, replica 2's task is replaced in the same slot, on the slot's volume: the same DHT node comes back.
            await engine.Client.Containers.KillContainerAsync(dhts[1], new ContainerKillParameters { Signal = "KILL" }, ct);
            var replacement = await Eventually.SucceedsAsync(async () => (await Replicas("dht", 3)).Single(id => !dhts.Contains(id)),
                Patience, "a new task replacing the killed dht", ct);
            using var replaced = ExecChannel.For(engine.Client, replacement, 5111);
            var back = await Eventually.SucceedsAsync(() => NodeInfoAsync(new Dht.DhtClient(replaced), 2, ct), Patience, "the replacement knowing the two others", ct);
            Assert.Equal(infos[1].Id, back.Id);
            Assert.Equal("put on replica 1", await DhtCalls.GetAsync(new Dht.DhtClient(replaced), name, ct));
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }

        // Each styx-root replica reached on its own loopback port, as kubectl port-forward reaches one pod.
        var roots = await Eventually.SucceedsAsync(() => Replicas("styx-root", 2), Patience, "two styx-root tasks running", ct);
        foreach (var (root, i) in roots.Select((r, i) => (r, i)))
        {
            var text = await Eventually.SucceedsAsync(async () =>
            {
                await using var fs = await StyxFs.MountAsync(await ExecRelayStream.OpenAsync(engine.Client, root, 6666, ct), uname: "cheshire", ct: ct);
                return await fs.ReadTextAsync(ExportedPath + "/hello.txt", ct);
            }, Patience, $"styx-root replica {i + 1} reading /{ExportedPath}/hello.txt", ct);
            Assert.Equal(ExportedText, text);
        }
    }

    private static async Task<IReadOnlyList<string>> Replicas(string module, int count)
    {
        var running = await SwarmStack.RunningAsync(module);
        return running.Count == count ? running : throw new InvalidOperationException($"{running.Count} {module} tasks running, not {count}");
    }

    private static async Task<NodeInfoReply> NodeInfoAsync(Dht.DhtClient dht, int known, CancellationToken ct)
    {
        var info = await dht.NodeInfoAsync(new NodeInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
        return info.RoutingTableSize >= known ? info : throw new InvalidOperationException($"dht {info.Id[..8]} knows {info.RoutingTableSize} nodes");
    }

    /// <summary>Keys from node-secret.sh, one export, and the stack file deploy/swarm-stack.sh makes of them.</summary>
    private static async Task<string> WriteStackFileAsync(string folder, CancellationToken ct)
    {
        var keys = Path.Combine(folder, "keys");
        var made = await NodeSecret.RunAsync(keys);
        if (made.Exit != 0) throw new InvalidOperationException($"node-secret.sh: {made.Error}");
        var exports = Path.Combine(folder, "exports");
        Directory.CreateDirectory(Path.Combine(exports, "shared"));
        await File.WriteAllTextAsync(Path.Combine(exports, "shared", "hello.txt"), ExportedText, ct);
        var exportsFile = Path.Combine(folder, "exports.json");
        await File.WriteAllTextAsync(exportsFile, $$"""{ "/{{ExportedPath}}": { "server": "export", "root": "/srv/cheshire/shared", "readOnly": true } }""", ct);
        HostFiles.MakeReadable(exports);

        var (exit, stack, error) = await Kustomize.RunAsync(Path.Combine(Kustomize.DeployDirectory, "swarm-stack.sh"),
            ["--keys", keys, "--exports-file", exportsFile, "--exports-dir", exports, "--internal", "--tag", DockerEngine.Tag]);
        if (exit != 0) throw new InvalidOperationException($"swarm-stack.sh failed ({exit}): {error}");
        var stackFile = Path.Combine(folder, "stack.yml");
        await File.WriteAllTextAsync(stackFile, stack, ct);
        return stackFile;
    }
}
