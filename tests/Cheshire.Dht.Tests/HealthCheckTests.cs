using System.Net;
using Cheshire.Dht.Node;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Transport;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cheshire.Dht.Tests;

/// <summary>The dht health check in-process: it probes the real UDP socket.</summary>
public sealed class HealthCheckTests
{
    [Fact]
    public async Task ANodeWithoutContactsIsDegradedAndADeadSocketIsUnhealthy()
    {
        using var identity = NodeIdentity.Generate();
        var node = new KademliaNode(identity, new UdpTransport(IPAddress.Loopback, 0));
        await node.StartAsync();
        var check = new DhtHealthCheck(node);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("dht", check, null, null) };

        var alive = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Degraded, alive.Status);
        Assert.Contains("no contacts", alive.Description);

        await node.DisposeAsync();
        var dead = await check.CheckHealthAsync(context);
        Assert.Equal(HealthStatus.Unhealthy, dead.Status);
        Assert.Contains("does not answer", dead.Description);
    }

    [Fact]
    public async Task ANodeWithContactsIsHealthy()
    {
        using var idA = NodeIdentity.Generate();
        using var idB = NodeIdentity.Generate();
        await using var a = new KademliaNode(idA, new UdpTransport(IPAddress.Loopback, 0));
        await using var b = new KademliaNode(idB, new UdpTransport(IPAddress.Loopback, 0));
        await a.StartAsync();
        await b.StartAsync();
        await b.BootstrapAsync([a.EndPoint]);

        var check = new DhtHealthCheck(b);
        var result = await check.CheckHealthAsync(new HealthCheckContext { Registration = new HealthCheckRegistration("dht", check, null, null) });

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(1, result.Data["contacts"]);
    }
}
