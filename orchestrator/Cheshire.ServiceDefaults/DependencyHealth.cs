using Cheshire.Protos;
using Cheshire.ServiceDefaults.Dependencies;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;

namespace Cheshire.ServiceDefaults;

/// <summary>
/// How a module this one depends on answers grpc.health.v1: the status its Watch last sent (<see cref="DependencyWatch"/>),
/// or a Check within a deadline.
/// </summary>
public sealed class DependencyHealth(GrpcClientFactory clients, DependencyWatch watch)
{
    /// <summary>What the watch last saw, at once (the health check); a Check only until the watch has a first answer.</summary>
    public Task<DependencyStatus> WatchedAsync(string module, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var watched = watch.Get(module);
        return watched.State == WatchedState.NotSeen
            ? CheckAsync(module, deadline, cancellationToken)
            : Task.FromResult(new DependencyStatus { Module = module, Serving = watched.Serving, Detail = Describe(watched) });
    }

    /// <summary>
    /// Serving as the watch saw it, else asked now (GetInfo): a module that has just come back may answer a moment before
    /// the watch's next stream does.
    /// </summary>
    public async Task<DependencyStatus> CheckAsync(string module, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var watched = watch.Get(module);
        if (watched.Serving)
            return new DependencyStatus { Module = module, Serving = true, Detail = Describe(watched) };
        var client = clients.CreateModuleProbeClient<Health.HealthClient>(module);
        try
        {
            var reply = await client.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow + deadline,
                cancellationToken: cancellationToken);
            return new DependencyStatus
            {
                Module = module,
                Serving = reply.Status == HealthCheckResponse.Types.ServingStatus.Serving,
                Detail = reply.Status.ToString(),
            };
        }
        catch (RpcException e)
        {
            return new DependencyStatus { Module = module, Serving = false, Detail = $"{e.StatusCode}: {e.Status.Detail}" };
        }
        catch (InvalidOperationException e)
        {
            // Service discovery has no address for the module (it is not configured on this node).
            return new DependencyStatus { Module = module, Serving = false, Detail = e.Message };
        }
    }

    private static string Describe(WatchedStatus status) => status.State switch
    {
        WatchedState.Unreachable => $"unreachable since {status.Since:HH:mm:ss.fff}: {status.Detail}",
        _ => status.Detail,
    };
}
