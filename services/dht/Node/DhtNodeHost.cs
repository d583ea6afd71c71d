using Cheshire.Kademlia;

namespace Cheshire.Dht.Node;

/// <summary>
/// Starts the Kademlia node with the host (reloading persisted values and contacts), then keeps
/// trying the configured bootstrap endpoints while the node knows nobody (every 2 s) or fewer than k (every 30 s). The node itself is a
/// DI singleton, disposed (contacts saved, socket closed) when the host stops.
/// </summary>
public sealed partial class DhtNodeHost(KademliaNode node, DhtSettings settings, Bootstrapper bootstrapper, ILogger<DhtNodeHost> log)
    : BackgroundService
{
    public static readonly TimeSpan RetryWhileAlone = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var rejoined = await node.StartAsync(cancellationToken);
        LogStarted(node.Id.ToString(), node.EndPoint.ToString(), settings.DataDirectory, rejoined);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoints = settings.BootstrapEndpoints();
        if (endpoints.Count == 0) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Also while the node knows fewer than k others: the bootstrap names of a small network (a headless Service,
            // swarm's tasks.dht) list replicas that were not there, or not yet answering, when this node joined.
            var before = node.RoutingTable.Count;
            if (before < node.Options.K)
            {
                try
                {
                    var result = await bootstrapper.BootstrapAsync(endpoints, stoppingToken);
                    if (before == 0 || result.RoutingTableSize != before)
                        LogBootstrap(result.Answered, endpoints.Count, result.RoutingTableSize);
                }
                catch (Exception e) when (e is FormatException or System.Net.Sockets.SocketException)
                {
                    LogBootstrapFailed(string.Join(", ", endpoints), e.Message);
                }
            }
            await Task.Delay(node.RoutingTable.Count == 0 ? RetryWhileAlone : CheckInterval, stoppingToken);
        }
    }

    [LoggerMessage(LogLevel.Information, "dht node {Id} on UDP {EndPoint}, data in {DataDirectory}; {Rejoined} saved contacts answered")]
    private partial void LogStarted(string id, string endPoint, string dataDirectory, int rejoined);

    [LoggerMessage(LogLevel.Information, "bootstrap: {Answered} of {Count} endpoints answered; {Contacts} contacts")]
    private partial void LogBootstrap(int answered, int count, int contacts);

    [LoggerMessage(LogLevel.Warning, "bootstrap through {Endpoints} failed: {Reason}")]
    private partial void LogBootstrapFailed(string endpoints, string reason);
}
