using System.Net;
using Cheshire.Kademlia;

namespace Cheshire.Dht.Node;

public sealed record BootstrapResult(int Answered, int RoutingTableSize);

/// <summary>Resolves endpoints, pings them, and joins the network through those that answered.</summary>
public sealed class Bootstrapper(KademliaNode node)
{
    /// <summary>Throws <see cref="FormatException"/> for text that is not an endpoint.</summary>
    public async Task<BootstrapResult> BootstrapAsync(IEnumerable<string> endpoints, CancellationToken ct)
    {
        var dualStack = UdpBinding.IsDualStack(node.EndPoint);
        var resolved = new List<IPEndPoint>();
        foreach (var text in endpoints)
            resolved.AddRange(await EndpointParser.ResolveAsync(text, node.EndPoint.AddressFamily, dualStack, ct));
        var pings = await Task.WhenAll(resolved.Distinct().Select(e => node.PingAsync(e, ct)));
        var answered = pings.Where(p => p is not null).Select(p => p!.Value.EndPoint).ToList();
        var size = answered.Count > 0 ? await node.BootstrapAsync(answered, ct) : node.RoutingTable.Count;
        return new BootstrapResult(answered.Count, size);
    }
}
