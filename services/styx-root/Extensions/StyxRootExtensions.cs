using Cheshire.Protos.Importer;
using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Config;
using Cheshire.Styx.Namespaces;
using Grpc.Net.ClientFactory;
using Cheshire.StyxRoot.Styx;
using Microsoft.AspNetCore.Connections;

namespace Cheshire.StyxRoot.Extensions;

public static class StyxRootExtensions
{
    /// <summary>The namespace, and its 9P listener on Styx:Endpoint (127.0.0.1:6666 by default).</summary>
    public static WebApplicationBuilder AddStyxRoot(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(StyxRootOptions.Section).Get<StyxRootOptions>() ?? new StyxRootOptions();
        var endpoint = options.Validate();

        builder.AddModuleSettings<StyxRootOptions>(StyxRootOptions.Section, o => o.Validate(), StyxRootOptions.ResolveSecondsKey);
        builder.Services.AddSingleton<NodeNamespace>();
        if (options.GlobalNamespace && builder.Configuration.GetSection($"services:{GlobalNamespaceResolver.Module}").Exists())
        {
            var breaker = (builder.Configuration.GetSection(StyxClientBreakerOptions.Section).Get<StyxClientBreakerOptions>()
                ?? new StyxClientBreakerOptions()).Validate();
            // Built into the client's pipeline once: a change applies at the next start.
            builder.AddModuleSettings<StyxClientBreakerOptions>(StyxClientBreakerOptions.Section, o => o.Validate());
            // No per-attempt timeout: a lookup may wait on the DHT; the call's deadline (Styx:ResolveSeconds) bounds it.
            // The breaker is added after the module client's retries, so it is inside them and sees every attempt.
            builder.Services.AddModuleStreamingClient<Importer.ImporterClient>(GlobalNamespaceResolver.Module)
                .AddResilienceHandler(StyxClientBreaker.HandlerName, (pipeline, context) => StyxClientBreaker.AddTo(pipeline, breaker,
                    context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StyxClientBreaker))));
            builder.Services.AddSingleton(s => s.GetRequiredService<GrpcClientFactory>()
                .CreateModuleStreamingClient<Importer.ImporterClient>(GlobalNamespaceResolver.Module));
            builder.Services.AddSingleton<INamespaceResolver, GlobalNamespaceResolver>();
        }
        if (options.InlineIo) builder.UseInlineIo();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(endpoint, listen => listen.UseConnectionHandler<StyxConnectionHandler>()));
        return builder;
    }
}
