using Cheshire.Modules;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cheshire.ServiceDefaults;

/// <summary>
/// Degraded while a module this one depends on (module.json dependsOn) does not answer SERVING on grpc.health.v1, as
/// its Watch last said (answered at once from <see cref="Dependencies.DependencyWatch"/>): the module keeps serving and rides the outage out, and says so in its /health. Healthy again once they all serve.
/// A dependency with no address configured (no <c>services:NAME</c> section, which the AppHost always sets) is not part
/// of this deployment — a module started on its own, as tests do — and is not checked.
/// </summary>
public sealed class DependenciesHealthCheck(ModuleDescriptor descriptor, DependencyHealth dependencies, IConfiguration configuration) : IHealthCheck
{
    public const string Name = "dependencies";

    /// <summary>
    /// For a dependency whose watch has no answer yet (just started): short, as a stopped module behind Aspire's proxy
    /// makes a call hang rather than fail.
    /// </summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var configured = descriptor.DependsOn.Where(d => configuration.GetSection($"services:{d}").Exists());
        var statuses = await Task.WhenAll(configured.Select(d => dependencies.WatchedAsync(d, Deadline, cancellationToken)));
        var data = statuses.ToDictionary(s => s.Module, s => (object)(s.Serving ? "serving" : s.Detail));
        var down = statuses.Where(s => !s.Serving).ToList();
        return down.Count == 0
            ? HealthCheckResult.Healthy("every dependency serves", data)
            : HealthCheckResult.Degraded(string.Join("; ", down.Select(s => $"{s.Module} unavailable ({s.Detail})")), data: data);
    }
}
