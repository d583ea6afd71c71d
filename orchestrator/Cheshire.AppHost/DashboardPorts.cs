using Cheshire.Modules;
using Microsoft.Extensions.Configuration;

namespace Cheshire.AppHost;

/// <summary>
/// The AppHost's own ports, which come from its environment (launchSettings.json): the dashboard, its OTLP receivers
/// and the resource service. Cheshire:PortOffset moves each one that is set; those left unset are chosen by Aspire.
/// </summary>
public static class DashboardPorts
{
    public static readonly IReadOnlyList<string> Keys =
    [
        "ASPNETCORE_URLS",
        "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_ENDPOINT_URL",
        "ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", "DOTNET_DASHBOARD_OTLP_HTTP_ENDPOINT_URL",
        "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL", "DOTNET_RESOURCE_SERVICE_ENDPOINT_URL",
    ];

    /// <summary>Rewrites the configured URLs before Aspire reads them (it reads its dashboard options when the app is built).</summary>
    public static void Move(IConfiguration configuration, PortOffset offset)
    {
        if (offset.Value == 0) return;
        foreach (var key in Keys)
            if (configuration[key] is { Length: > 0 } urls)
                configuration[key] = offset.ApplyToUrls(urls, key);
    }
}
