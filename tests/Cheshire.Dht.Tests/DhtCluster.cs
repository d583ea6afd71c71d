namespace Cheshire.Dht.Tests;

/// <summary>Three dht processes on 127.0.0.1 forming one network: 1 and 2 bootstrap from 0 through configuration.</summary>
public sealed class DhtCluster : IAsyncLifetime
{
    public const int Size = 3;
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);

    public List<DhtProcess> Nodes { get; } = [];

    public DhtProcess this[int index] => Nodes[index];

    public async ValueTask InitializeAsync()
    {
        Nodes.Add(await DhtProcess.StartAsync());
        var rest = Enumerable.Range(1, Size - 1)
            .Select(_ => DhtProcess.StartAsync([$"--Dht:Bootstrap:0={Nodes[0].UdpEndpoint}"]));
        Nodes.AddRange(await Task.WhenAll(rest));
        await WaitForRoutingAsync(Nodes, Size - 1);
    }

    /// <summary>Waits until every node knows at least <paramref name="contacts"/> others.</summary>
    public static async Task WaitForRoutingAsync(IReadOnlyList<DhtProcess> nodes, int contacts)
    {
        var deadline = DateTime.UtcNow + JoinTimeout;
        while (true)
        {
            var infos = await Task.WhenAll(nodes.Select(n => n.RefreshInfoAsync()));
            if (infos.All(i => i.RoutingTableSize >= contacts)) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"routing tables: {string.Join(", ", infos.Select(i => i.RoutingTableSize))}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
    }
}
