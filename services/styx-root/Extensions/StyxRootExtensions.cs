using Cheshire.Protos.Importer;
using Cheshire.ServiceDefaults;
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

        builder.Services.Configure<StyxRootOptions>(builder.Configuration.GetSection(StyxRootOptions.Section));
        builder.Services.AddSingleton<NodeNamespace>();
        if (options.GlobalNamespace && builder.Configuration.GetSection($"services:{GlobalNamespaceResolver.Module}").Exists())
        {
            // No per-attempt timeout: a lookup may wait on the DHT; the call's deadline (Styx:ResolveSeconds) bounds it.
            builder.Services.AddModuleStreamingClient<Importer.ImporterClient>(GlobalNamespaceResolver.Module);
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
