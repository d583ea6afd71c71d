using Cheshire.Styx.Server;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Cheshire.StyxClient.Imports;

/// <summary>One 9P connection on styx-client's Unix socket (styx-root mounting imports), on Kestrel's transport pipe.</summary>
public sealed class ImportsConnectionHandler(ImportsFileSystem imports, ILogger<ImportsConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var server = new StyxServerConnection(connection.Transport, imports, new StyxServerOptions { MaxMessageSize = 512 * 1024 + 24 });
        // 9P has no goodbye: when the host stops, the connection just ends.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        await server.RunAsync(stop.Token);
        if (server.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} closed: {Error}", connection.ConnectionId, error.Message);
    }
}
