using System.Diagnostics;
using Cheshire.Kademlia.Values;

namespace Cheshire.Kademlia.Tests;

[Collection(HeavyCollection.Name)]
public sealed class SimulationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TenThousandNodesWithTwentyPercentChurnStillFindNodesAndValues()
    {
        var nodes = int.TryParse(Environment.GetEnvironmentVariable("CHESHIRE_SIM_NODES"), out var n) ? n : 10_000;
        var clock = Stopwatch.StartNew();
        await using var cluster = await SimulatedCluster.CreateAsync(nodes);
        var joined = clock.Elapsed;
        var tables = cluster.Nodes.Select(n => n.RoutingTable.Count).ToList();
        var stats = cluster.Nodes.Select(n => n.Stats).ToList();
        output.WriteLine($"{nodes} nodes created in {cluster.CreateTime.TotalSeconds:F1} s and joined in {joined.TotalSeconds:F1} s; routing table size avg {tables.Average():F0}, min {tables.Min()}, max {tables.Max()}; " +
            $"{stats.Sum(s => s.DatagramsOut)} datagrams, {stats.Sum(s => s.Timeouts)} timeouts, {cluster.Network.HandlerErrors} handler errors {cluster.Network.LastHandlerError}");

        // values put before churn: each lands on the k closest nodes
        var keys = Enumerable.Range(0, 300).Select(i => NodeId.Hash($"sim-key-{i}")).ToList();
        await RunParallel(keys.Count, 20, async i =>
        {
            await cluster.RandomOnline().PutAsync(keys[i], DhtValue.Plain(1, $"value {i}"), republish: false);
            return true;
        });

        cluster.Churn(0.20);
        output.WriteLine($"churn: {cluster.Nodes.Count - cluster.Online.Count()} of {nodes} nodes offline");

        const int lookups = 500;
        var hops = new int[lookups];
        var millis = new double[lookups];
        var found = await RunParallel(lookups, 50, async i =>
        {
            var target = cluster.RandomOnline();
            var from = cluster.RandomOnline();
            var started = Stopwatch.GetTimestamp();
            var result = await from.FindNodeAsync(target.Id);
            millis[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            hops[i] = result.Hops;
            return result.Closest.Count > 0 && result.Closest[0].Id == target.Id;
        });
        var lookupRate = found / (double)lookups;
        output.WriteLine($"find_node: {found}/{lookups} found ({lookupRate:P1}), average hops {hops.Average():F2}, max hops {hops.Max()}, average {millis.Average():F0} ms per lookup (400 ms timeouts, 50 in parallel)");

        var got = await RunParallel(keys.Count, 20, async i =>
        {
            await foreach (var value in cluster.RandomOnline().GetAsync(keys[i]))
                if (value.Data.Span.SequenceEqual(System.Text.Encoding.UTF8.GetBytes($"value {i}"))) return true;
            return false;
        });
        var getRate = got / (double)keys.Count;
        output.WriteLine($"get after churn: {got}/{keys.Count} values found ({getRate:P1}); network delivered {cluster.Network.Delivered} datagrams, dropped {cluster.Network.Dropped}");

        Assert.Equal(0, cluster.Network.HandlerErrors);
        Assert.True(lookupRate >= 0.95, $"lookup success {lookupRate:P1} < 95%");
        Assert.True(getRate >= 0.95, $"get success {getRate:P1} < 95%");
        Assert.InRange(hops.Average(), 1, 8);
    }

    private static async Task<int> RunParallel(int count, int parallel, Func<int, Task<bool>> work)
    {
        var next = -1;
        var ok = 0;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
                if (await work(i)) Interlocked.Increment(ref ok);
        }));
        return ok;
    }
}
