using Cheshire.Protos;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;

namespace Cheshire.ServiceDefaults;

/// <summary>How a module this one depends on answers its grpc.health.v1 Check, within a deadline.</summary>
public sealed class DependencyHealth(GrpcClientFactory clients)
{
    public async Task<DependencyStatus> CheckAsync(string module, TimeSpan deadline, CancellationToken cancellationToken)
    {
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
}
