using System.Net;
using Cheshire.Kademlia;
using Cheshire.Protos.Mainline;
using Cheshire.ServiceDefaults;
using Grpc.Core;
using Grpc.Net.ClientFactory;

namespace Cheshire.Dht.Node;

/// <summary>
/// Finds other Cheshire dht nodes through the mainline-dht module (gRPC <c>Mainline.FindCheshirePeers</c>:
/// the peers announced under the network's infohash) and joins through them. Asks soon while the routing
/// table is small and every <see cref="Interval"/> otherwise. mainline-dht being down, not configured or
/// knowing no peers is logged and retried; it never stops the dht.
/// </summary>
public sealed partial class MainlineDiscovery(
    KademliaNode node, Bootstrapper bootstrapper, GrpcClientFactory clients, ILogger<MainlineDiscovery> log)
    : BackgroundService
{
    /// <summary>Below this many contacts the node asks again after <see cref="RetryInterval"/>.</summary>
    public const int SmallTable = 8;
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    public const string Module = "mainline-dht";

    private bool _failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DiscoverOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // RpcException, service discovery failing to resolve mainline-dht, a bad endpoint text, a socket error…
                if (!_failing) LogUnavailable(e.GetType().Name, e.Message);
                else LogStillUnavailable(e.Message);
                _failing = true;
            }
            var delay = node.RoutingTable.Count < SmallTable ? RetryInterval : Interval;
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: asks mainline-dht for peers and bootstraps from those that are not this node.</summary>
    public async Task<BootstrapResult?> DiscoverOnceAsync(CancellationToken ct)
    {
        // the module client: Polly retries with backoff, per-attempt timeout, service discovery of http://_grpc.mainline-dht
        var reply = await clients.CreateModuleClient<Mainline.MainlineClient>(Module).FindCheshirePeersAsync(new FindCheshirePeersRequest(),
            deadline: DateTime.UtcNow + CallTimeout, cancellationToken: ct);
        if (_failing) LogAvailable();
        _failing = false;
        var peers = reply.Peers.Where(p => !IsSelf(p)).ToList();
        if (peers.Count == 0) return null;
        var result = await bootstrapper.BootstrapAsync(peers, ct);
        LogJoined(peers.Count, result.Answered, result.RoutingTableSize);
        return result;
    }

    /// <summary>True for an endpoint on this node's UDP port at its bound address, loopback, or the wildcard.</summary>
    private bool IsSelf(string peer)
    {
        if (!IPEndPoint.TryParse(peer, out var endPoint)) return false;
        var own = node.EndPoint;
        if (endPoint.Port != own.Port) return false;
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        var bound = own.Address.IsIPv4MappedToIPv6 ? own.Address.MapToIPv4() : own.Address;
        return IPAddress.IsLoopback(address) || address.Equals(bound)
               || (bound.Equals(IPAddress.Any) || bound.Equals(IPAddress.IPv6Any)) && LocalAddresses.Value.Contains(address);
    }

    private static readonly Lazy<HashSet<IPAddress>> LocalAddresses = new(() =>
    {
        try
        {
            return System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address).ToHashSet();
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            return [];
        }
    });

    [LoggerMessage(LogLevel.Warning, "mainline-dht unavailable for finding dht peers ({Kind}: {Reason}); retrying")]
    private partial void LogUnavailable(string kind, string reason);

    [LoggerMessage(LogLevel.Debug, "mainline-dht still unavailable: {Reason}")]
    private partial void LogStillUnavailable(string reason);

    [LoggerMessage(LogLevel.Information, "mainline-dht available again")]
    private partial void LogAvailable();

    [LoggerMessage(LogLevel.Information, "mainline-dht: {Peers} dht peers, {Answered} answered; {Contacts} contacts")]
    private partial void LogJoined(int peers, int answered, int contacts);
}
