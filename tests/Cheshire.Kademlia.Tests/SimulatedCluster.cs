using Cheshire.Identity;
using Cheshire.Kademlia.Transport;

namespace Cheshire.Kademlia.Tests;

/// <summary>Many nodes on one <see cref="SimulatedNetwork"/>; each joins through a random node that joined before it.</summary>
internal sealed class SimulatedCluster : IAsyncDisposable
{
    public static readonly KademliaOptions FastOptions = new()
    {
        RequestTimeout = TimeSpan.FromMilliseconds(400),
        Retries = 0,
        RateLimitPerSecond = 0,
        RefreshBucketsOnJoin = false,
        MaintenanceInterval = TimeSpan.FromMinutes(10),
    };

    private const int MaxJoinAttempts = 5;

    public SimulatedNetwork Network { get; } = new();
    public TimeSpan CreateTime { get; private set; }
    public List<KademliaNode> Nodes { get; } = [];
    public Dictionary<KademliaNode, SimulatedTransport> Transports { get; } = [];

    public static async Task<SimulatedCluster> CreateAsync(int count, KademliaOptions? options = null, int parallelJoins = 256, TimeProvider? time = null)
    {
        var cluster = new SimulatedCluster();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            using var identity = NodeIdentity.Generate();
            var transport = cluster.Network.CreateTransport();
            var node = new KademliaNode(identity, transport, options ?? FastOptions, time: time);
            cluster.Nodes.Add(node);
            cluster.Transports[node] = transport;
            await node.StartAsync();
        }
        cluster.CreateTime = watch.Elapsed;
        var seedCount = Math.Min(count, 8);
        for (var i = 1; i < seedCount; i++)
            await cluster.Nodes[i].BootstrapAsync([cluster.Nodes[0].EndPoint]);
        var next = seedCount;
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, parallelJoins).Select(async _ =>
        {
            while (true)
            {
                int index;
                lock (gate)
                {
                    if (next >= count) return;
                    index = next++;
                }
                // a node whose bootstrap ping timed out (400 ms, no retry, on a loaded machine) tries another node,
                // as a real node retries its bootstrap; one left alone would keep its puts and fail its gets
                for (var attempt = 0; attempt < MaxJoinAttempts; attempt++)
                {
                    var via = cluster.Nodes[Random.Shared.Next(Math.Max(1, index - parallelJoins))];
                    if (await cluster.Nodes[index].BootstrapAsync([via.EndPoint]) > 0) break;
                }
            }
        }));
        return cluster;
    }

    public IEnumerable<KademliaNode> Online => Nodes.Where(n => Transports[n].Online);

    public KademliaNode RandomOnline()
    {
        while (true)
        {
            var node = Nodes[Random.Shared.Next(Nodes.Count)];
            if (Transports[node].Online) return node;
        }
    }

    /// <summary>Takes a random fraction of the nodes offline.</summary>
    public void Churn(double fraction)
    {
        foreach (var node in Nodes.OrderBy(_ => Random.Shared.Next()).Take((int)(Nodes.Count * fraction)))
            Transports[node].Online = false;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}
