using Cheshire.Protos.Modules;

namespace Cheshire.Supervisor.Api;

/// <summary>
/// A module's own health, as its /health endpoint states it (Healthy, Degraded, Unhealthy). Aspire counts any answer
/// with status 200 as healthy, so a module degraded by a missing dependency shows only here.
/// </summary>
public sealed class ModuleHealthProbe(HttpClient http)
{
    public const string HealthPath = "/health";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<(ModuleHealth Health, string Detail)> CheckAsync(string? healthUrl, CancellationToken cancellationToken)
    {
        if (healthUrl is null)
            return (ModuleHealth.Unknown, "not running");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            using var response = await http.GetAsync(healthUrl.TrimEnd('/') + HealthPath, timeout.Token);
            var text = (await response.Content.ReadAsStringAsync(timeout.Token)).Trim();
            return text switch
            {
                "Healthy" => (ModuleHealth.Healthy, text),
                "Degraded" => (ModuleHealth.Degraded, text),
                "Unhealthy" => (ModuleHealth.Unhealthy, text),
                _ => (ModuleHealth.Unknown, $"{HealthPath} answered {(int)response.StatusCode}: {text}"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (ModuleHealth.Unknown, $"{HealthPath} did not answer: {e.Message}");
        }
    }
}
