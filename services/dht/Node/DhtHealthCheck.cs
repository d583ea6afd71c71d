using Cheshire.Kademlia;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cheshire.Dht.Node;

/// <summary>Unhealthy when the UDP socket does not answer; Degraded while the node knows no other node.</summary>
public sealed class DhtHealthCheck(KademliaNode node) : IHealthCheck
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["id"] = node.Id.ToString(),
            ["endpoint"] = node.EndPoint.ToString(),
            ["contacts"] = node.RoutingTable.Count,
        };
        if (!await UdpProbe.AnswersAsync(node.EndPoint, ProbeTimeout, cancellationToken))
            return HealthCheckResult.Unhealthy($"the dht UDP socket {node.EndPoint} does not answer", data: data);
        if (node.RoutingTable.Count == 0)
            return HealthCheckResult.Degraded($"listening on UDP {node.EndPoint}, no contacts yet", data: data);
        return HealthCheckResult.Healthy($"listening on UDP {node.EndPoint}, {node.RoutingTable.Count} contacts", data);
    }
}
