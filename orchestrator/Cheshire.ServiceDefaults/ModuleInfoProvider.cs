using System.Diagnostics;
using System.Reflection;
using Cheshire.Identity;
using Cheshire.Modules;
using Cheshire.Protos;
using Google.Protobuf.WellKnownTypes;
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

    private Task<DependencyStatus> CheckAsync(string module, CancellationToken cancellationToken) =>
        // Only modules with dependencies register gRPC clients, and so DependencyHealth.
        services.GetRequiredService<DependencyHealth>().CheckAsync(module, DependencyDeadline, cancellationToken);
}
