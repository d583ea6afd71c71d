using System.Net;
using Grpc.Health.V1;
using Grpc.Net.Client;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// Keeps the trees mounted in every styx-root replica when styx-root is scaled (Provider:StyxRootReplicas names them,
/// e.g. swarm's tasks.styx-root): the name is resolved again every few seconds, and each address gets its own
/// <see cref="NamespaceMounter"/> on the port of services:styx-root. A replica that goes away loses its mounter.
/// </summary>
public sealed class ReplicaMounters(IServiceProvider services, ProviderSettings settings, IConfiguration configuration,
    TimeProvider time, ILogger<ReplicaMounters> logger) : BackgroundService
{
    /// <summary>How soon a new replica is found, at most (ReconcileSeconds when that is shorter).</summary>
    public static readonly TimeSpan LookupInterval = TimeSpan.FromSeconds(3);

    private readonly Dictionary<IPAddress, (GrpcChannel Channel, NamespaceMounter Mounter)> _replicas = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var name = settings.StyxRootReplicas!;
        var port = GrpcPort(configuration);
        var interval = settings.ReconcileInterval < LookupInterval ? settings.ReconcileInterval : LookupInterval;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                IPAddress[] found;
                try
                {
                    found = await Dns.GetHostAddressesAsync(name, stoppingToken);
                }
                catch (System.Net.Sockets.SocketException e)
                {
                    logger.LogDebug("No styx-root replica under {Name} yet: {Error}", name, e.Message);
                    found = [];
                }
                foreach (var gone in _replicas.Keys.Except(found).ToList())
                {
                    logger.LogInformation("styx-root replica {Address} is gone", gone);
                    await RemoveAsync(gone);
                }
                foreach (var address in found.Where(a => !_replicas.ContainsKey(a)))
                {
                    logger.LogInformation("Mounting the trees in styx-root replica {Address}", address);
                    var channel = GrpcChannel.ForAddress(new UriBuilder("http", address.ToString(), port).Uri,
                        new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) } });
                    var mounter = ActivatorUtilities.CreateInstance<NamespaceMounter>(services,
                        new NamespaceClient(channel), new Health.HealthClient(channel));
                    _replicas[address] = (channel, mounter);
                    await mounter.StartAsync(stoppingToken);
                }
                await Task.Delay(interval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var address in _replicas.Keys.ToList()) await RemoveAsync(address);
        }
    }

    private async Task RemoveAsync(IPAddress address)
    {
        var (channel, mounter) = _replicas[address];
        _replicas.Remove(address);
        await mounter.StopAsync(CancellationToken.None);
        mounter.Dispose();
        channel.Dispose();
    }

    /// <summary>The port of styx-root's gRPC, from services:styx-root:grpc:0 (its host is the name of one replica or the Service).</summary>
    public static int GrpcPort(IConfiguration configuration)
    {
        var key = $"services:{NamespaceMounter.Module}:grpc:0";
        return Uri.TryCreate(configuration[key], UriKind.Absolute, out var uri) && uri.Port > 0
            ? uri.Port
            : throw new InvalidOperationException(
                $"{ProviderSettings.StyxRootReplicasKey} needs {key} (styx-root's gRPC address, e.g. http://styx-root:5131) for the port; it is '{configuration[key]}'.");
    }
}
