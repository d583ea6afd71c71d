using Cheshire.StyxProvider.Servers;
using Cheshire.Styx.Server;
using Microsoft.AspNetCore.Connections;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>One 9P connection to the provider (from styx-root, or a local client), on Kestrel's transport pipe.</summary>
public sealed class ProviderConnectionHandler(ProviderFileSystem trees, ProviderSettings settings, ILogger<ProviderConnectionHandler> logger)
    : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var server = new StyxServerConnection(connection.Transport, trees, new StyxServerOptions
        {
            MaxMessageSize = settings.MaxMessageSize,
            MaxConcurrentRequests = settings.MaxConcurrentRequests,
        });
        await server.RunAsync(connection.ConnectionClosed);
        if (server.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} closed: {Error}", connection.ConnectionId, error.Message);
    }
}
