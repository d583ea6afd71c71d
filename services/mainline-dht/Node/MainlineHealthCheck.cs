using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cheshire.MainlineDht.Node;

/// <summary>
/// Healthy while the UDP socket answers a KRPC ping (sent with the node's own id, which the routing table ignores).
/// A node without contacts is still healthy: with no bootstrap configured that is the expected state.
/// </summary>
public sealed class MainlineHealthCheck(MainlineHost host) : IHealthCheck
{
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var node = host.Node;
        var data = new Dictionary<string, object>
        {
            ["id"] = node.Id.ToString(),
            ["endpoint"] = node.LocalEndPoint.ToString(),
            ["nodes"] = node.RoutingTable.Count,
        };
        if (node.Options.ReadOnly)
            return HealthCheckResult.Healthy($"read-only (BEP 43) on UDP {node.LocalEndPoint}, {node.RoutingTable.Count} nodes", data);
        if (!await AnswersAsync(node.LocalEndPoint, node.Id, cancellationToken))
            return HealthCheckResult.Unhealthy($"the Mainline UDP socket {node.LocalEndPoint} does not answer a ping", data: data);
        return HealthCheckResult.Healthy($"UDP {node.LocalEndPoint}, {node.RoutingTable.Count} nodes", data);
    }

    private static async Task<bool> AnswersAsync(IPEndPoint bound, NodeId id, CancellationToken ct)
    {
        var target = bound.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, bound.Port)
            : bound.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, bound.Port)
            : bound;
        if (target.Address.IsIPv4MappedToIPv6)
            target = new IPEndPoint(target.Address.MapToIPv4(), target.Port);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var transaction = new byte[] { (byte)'h', (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256) };
        var ping = new KrpcMessage
        {
            TransactionId = transaction, Type = KrpcMessageType.Query, Method = "ping",
            Arguments = new BDictionary { ["id"] = new BString(id.ToArray()) },
        }.Encode();
        var buffer = new byte[1500];
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await socket.SendToAsync(ping, SocketFlags.None, target, ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(ProbeTimeout / 2);
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    try
                    {
                        var message = KrpcMessage.Parse(buffer.AsMemory(0, received).ToArray());
                        if (message.TransactionId.Span.SequenceEqual(transaction))
                            return true; // a reply or an error (e.g. rate limited) both prove the node is serving
                    }
                    catch (FormatException)
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
                return false;
            }
        }
        return false;
    }
}
