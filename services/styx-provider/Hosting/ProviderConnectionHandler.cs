using Cheshire.StyxProvider.Servers;
using Cheshire.Styx.Server;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

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
        // Kestrel asks connections to close when the host stops; 9P has no goodbye, so the connection just ends then.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        await server.RunAsync(stop.Token);
        if (server.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} closed: {Error}", connection.ConnectionId, error.Message);
    }
}
