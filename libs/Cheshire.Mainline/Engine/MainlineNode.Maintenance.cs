using System.Net;

namespace Cheshire.Mainline.Engine;

public sealed partial class MainlineNode
{
    private async Task MaintenanceLoopAsync()
    {
        using var timer = new PeriodicTimer(Options.MaintenanceInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await RunMaintenanceAsync(_stop.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Interlocked.Increment(ref _stats.InternalErrors);
                    LastInternalError = e;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// One maintenance round: expire peers and items, ping questionable nodes (bad ones get replaced),
    /// refresh buckets unchanged for 15 minutes, and re-bootstrap an empty table.
    /// </summary>
    public async Task RunMaintenanceAsync(CancellationToken cancellationToken = default)
    {
        Peers.Expire();
        Items.Expire();
        _rateLimiter.Prune();
        var questionable = RoutingTable.QuestionableNodes(Options.Routing.BucketSize);
        await Task.WhenAll(questionable.Select(n => PingKnownAsync(n.Id, n.EndPoint, cancellationToken)));
        foreach (var target in RoutingTable.RefreshTargets().Take(2))
        {
            RoutingTable.MarkRefreshed(target);
            await FindNodeAsync(target, cancellationToken);
        }
        List<IPEndPoint> bootstrap;
        lock (_bootstrapEndPoints)
            bootstrap = [.. _bootstrapEndPoints];
        if (RoutingTable.Count == 0 && bootstrap.Count > 0)
            await BootstrapAsync(bootstrap, cancellationToken);
    }

    private async Task PingKnownAsync(NodeId id, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        try
        {
            await QueryAsync(endPoint, "ping", new(), id, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or Krpc.KrpcException)
        {
        }
    }
}
