using System.Net;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Tests;

/// <summary>Many nodes on one <see cref="InMemoryNetwork"/>.</summary>
internal sealed class Simulation : IAsyncDisposable
{
    public InMemoryNetwork Network { get; } = new();
    public List<MainlineNode> Nodes { get; } = [];

    public static MainlineOptions DefaultOptions => new()
    {
        MaintenanceInterval = TimeSpan.Zero,
        QueryTimeout = TimeSpan.FromSeconds(1),
    };

    public MainlineNode Add(MainlineOptions? options = null, IPEndPoint? endPoint = null)
    {
        var node = new MainlineNode(Network.Bind(endPoint), options ?? DefaultOptions);
        node.Start();
        lock (Nodes)
            Nodes.Add(node);
        return node;
    }

    /// <summary>Starts <paramref name="count"/> nodes and bootstraps each from the first few.</summary>
    public static async Task<Simulation> CreateAsync(int count, Func<int, IPEndPoint?>? endPoints = null)
    {
        var simulation = new Simulation();
        var nodes = Enumerable.Range(0, count).Select(i => simulation.Add(endPoint: endPoints?.Invoke(i))).ToList();
        var seeds = nodes.Take(3).Select(n => n.LocalEndPoint).ToList();
        await nodes[0].BootstrapAsync(seeds.Skip(1));
        foreach (var batch in nodes.Skip(1).Chunk(25))
            await Task.WhenAll(batch.Select(n => n.BootstrapAsync(seeds.Where(s => !s.Equals(n.LocalEndPoint)))));
        // A second round lets the early nodes learn about the later ones.
        foreach (var batch in nodes.Take(50).Chunk(25))
            await Task.WhenAll(batch.Select(n => n.FindNodeAsync(n.Id)));
        return simulation;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
            await node.DisposeAsync();
    }
}
