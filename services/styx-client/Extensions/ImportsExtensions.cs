using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Config;
using Cheshire.StyxClient.Imports;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.Connections;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxClient.Extensions;

public static class ImportsExtensions
{
    /// <summary>
    /// The importing side: paths resolved through the dht module (http://_grpc.dht; verified, cached), the exports
    /// found dialled over links (one 9P session per remote node, multiplexed), and served to styx-root on a 0600 Unix
    /// socket (Imports:Socket, default styx-client.sock in the data folder) where Tattach's aname is the imported path.
    /// </summary>
    public static WebApplicationBuilder AddImports(this WebApplicationBuilder builder)
    {
        var settings = ImportsSettings.From(builder.Configuration);
        builder.AddModuleSettings<ImportsOptions>(ImportsOptions.Section, o => o.Validate());
        builder.Services.AddSingleton(settings);
        builder.Services.AddModuleStreamingClient<DhtClient>(DhtDirectoryReader.Module);
        builder.Services.AddSingleton(s => ActivatorUtilities.CreateInstance<DhtDirectoryReader>(s,
            s.GetRequiredService<GrpcClientFactory>().CreateModuleStreamingClient<DhtClient>(DhtDirectoryReader.Module)));
        builder.Services.AddSingleton<DirectoryListings>();
        builder.Services.AddSingleton<Resolver>();
        builder.Services.AddSingleton<ImportTable>();
        builder.Services.AddSingleton<ImportAttacher>();
        builder.Services.AddSingleton<ImportsApi>();

        ImportsSocket.PrepareForBind(settings.Socket);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(settings.Socket, listen => listen.UseConnectionHandler<ImportsConnectionHandler>()));
        return builder;
    }

    /// <summary>Restricts the socket to the node's user once Kestrel has created it.</summary>
    public static WebApplication UseImportsSocket(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<ImportsSettings>();
        app.Lifetime.ApplicationStarted.Register(() => ImportsSocket.Restrict(settings.Socket));
        return app;
    }
}
