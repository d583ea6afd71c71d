using System.Diagnostics;
using System.Reflection;
using Cheshire.Identity;
using Cheshire.Modules;
using Cheshire.Protos;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.ServiceDefaults;

/// <summary>Answers GetInfo for any module: who it is, how long it has run, and how its dependencies are.</summary>
public sealed class ModuleInfoProvider(
    ModuleDescriptor descriptor,
    NodeIdentity identity,
    IServiceProvider services,
    IConfiguration configuration,
    TimeProvider time)
{
    private readonly string _salt = NetworkSalt.Resolve(configuration[NetworkSalt.ConfigurationKey]);

    public static readonly TimeSpan DependencyDeadline = TimeSpan.FromSeconds(5);

    private static readonly string Version =
        Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static readonly DateTimeOffset StartedAt = new(Process.GetCurrentProcess().StartTime.ToUniversalTime());

    public async Task<ModuleInfo> DescribeAsync(CancellationToken cancellationToken)
    {
        var info = new ModuleInfo
        {
            Module = descriptor.Name,
            Version = Version,
            ProcessId = Environment.ProcessId,
            StartedAt = Timestamp.FromDateTimeOffset(StartedAt),
            Uptime = Duration.FromTimeSpan(time.GetUtcNow() - StartedAt),
            NodeId = identity.NodeIdHex,
            Uid = services.GetService<UserIdentity>()?.Uid ?? "",
            Salt = _salt,
        };
        var checks = descriptor.DependsOn.Select(d => CheckAsync(d, cancellationToken));
        info.Dependencies.AddRange(await Task.WhenAll(checks));
        return info;
    }

    private async Task<DependencyStatus> CheckAsync(string module, CancellationToken cancellationToken)
    {
        // Only modules with dependencies register gRPC clients, and so a client factory.
        var client = services.GetRequiredService<GrpcClientFactory>().CreateModuleClient<Health.HealthClient>(module);
        try
        {
            var reply = await client.CheckAsync(new HealthCheckRequest(),
                deadline: DateTime.UtcNow + DependencyDeadline, cancellationToken: cancellationToken);
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
