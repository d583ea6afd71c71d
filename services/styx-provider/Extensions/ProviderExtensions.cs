using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Config;
using Cheshire.StyxProvider.Control;
using Cheshire.StyxProvider.Hosting;
using Cheshire.StyxProvider.Servers;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Connections;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

namespace Cheshire.StyxProvider.Extensions;

public static class ProviderExtensions
{
    /// <summary>
    /// The node's control trees (/dht, /mainline, /modules) and the servers of the exports file (reloaded when it changes), the 9P
    /// listener serving them all (a 0600 Unix socket, optionally TCP), the mounts of each in styx-root's namespace, and their entries in the global namespace.
    /// </summary>
    public static WebApplicationBuilder AddStyxProvider(this WebApplicationBuilder builder)
    {
        var settings = ProviderSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        // For Modules.SetConfig: checked like at start; none is live (the listener and publisher are built once).
        builder.AddModuleSettings<ProviderOptions>(ProviderOptions.Section, o => o.Validate());
        builder.AddModuleSettings<Publishing.PublishingOptions>(Publishing.PublishingOptions.Section, o => o.Validate());
        builder.Services.AddSingleton<ServerFactory>();
        builder.Services.AddControlTrees();
        builder.Services.AddSingleton(services =>
        {
            var registry = ActivatorUtilities.CreateInstance<ServerRegistry>(services);
            foreach (var (name, tree) in services.GetRequiredService<ControlTrees>().Trees)
                registry.AddBuiltIn("/" + name, tree, $"control {name}");
            return registry;
        });
        builder.Services.AddSingleton<ProviderFileSystem>();
        builder.Services.AddSingleton<ExportsConfiguration>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ExportsConfiguration>());
        builder.Services.AddPublishing(builder.Configuration);
        if (settings.DelegateExports)
        {
            builder.Services.AddSingleton<DelegationListener>();
            builder.Services.AddHostedService(s => s.GetRequiredService<DelegationListener>());
        }
        if (settings.MountInNamespace)
        {
            builder.Services.AddModuleClient<NamespaceClient>(NamespaceMounter.Module);
            builder.Services.AddModuleStreamingClient<Health.HealthClient>(NamespaceMounter.Module);
            builder.Services.AddSingleton(s => s.GetRequiredService<Grpc.Net.ClientFactory.GrpcClientFactory>()
                .CreateModuleClient<NamespaceClient>(NamespaceMounter.Module));
            builder.Services.AddSingleton(s => s.GetRequiredService<Grpc.Net.ClientFactory.GrpcClientFactory>()
                .CreateModuleStreamingClient<Health.HealthClient>(NamespaceMounter.Module));
            if (settings.StyxRootReplicas is null) builder.Services.AddHostedService<NamespaceMounter>();
            else
            {
                ReplicaMounters.GrpcPort(builder.Configuration);
                builder.Services.AddHostedService<ReplicaMounters>();
            }
        }

        ProviderSocket.PrepareForBind(settings.Socket);
        if (settings.InlineIo) builder.UseInlineIo();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(settings.Socket, listen => listen.UseConnectionHandler<ProviderConnectionHandler>());
            if (settings.Endpoint is { } endpoint)
                kestrel.Listen(endpoint, listen => listen.UseConnectionHandler<ProviderConnectionHandler>());
        });
        return builder;
    }

    /// <summary>Restricts the socket to the node's user once Kestrel has created it.</summary>
    public static WebApplication UseProviderSocket(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ProviderSettings>();
        app.Lifetime.ApplicationStarted.Register(() => ProviderSocket.Restrict(settings.Socket));
        return app;
    }
}
