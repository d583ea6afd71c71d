using Cheshire.ServiceDefaults.Config;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>What every Cheshire module gets: telemetry, health, service discovery, resilient HTTP clients.</summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    /// <summary>
    /// How long a stopping module waits for calls still running (Kestrel's drain; long streams such as a dependent's
    /// listen or health watch) before it ends them: a module stops taking calls when asked to stop, so a restart leaves it
    /// unavailable for at least this long when something holds a stream open. Not the .NET default of 30 s.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(2);

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    private const string OtlpTimeoutKey = "OTEL_EXPORTER_OTLP_TIMEOUT";
    private const string OtlpRetryKey = "OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(t => t.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthEndpointPath) &&
                    !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            // The collector is the local dashboard. When it is not there (tests, a stopped AppHost), the exporters
            // retry each batch until this timeout, and a module flushes three of them when it stops: the default
            // 10 s each kept a stopping module alive past the AppHost's stop timeout.
            if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpTimeoutKey]))
                builder.Configuration[OtlpTimeoutKey] = "2000";
            // Aspire asks for in-memory retries of failed exports: with no collector they retry until that timeout, for
            // each exporter, as the module stops, and a stop (a restart) took over 3 s instead of 0.1 s. Telemetry a
            // collector that is down does not take is dropped instead.
            builder.Configuration[OtlpRetryKey] = "";
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.AddGrpcHealthChecks();
        return builder;
    }

    /// <summary>
    /// /health and /alive over HTTP/1 for Aspire and Kubernetes, grpc.health.v1 for the modules, and ModuleConfig (the
    /// module's dynamic configuration) where AddCheshireModule set it up.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        app.MapGrpcHealthChecksService();
        if (app.Services.GetService<DynamicConfiguration>() is not null)
            app.MapGrpcService<ModuleConfigApi>();
        return app;
    }
}
