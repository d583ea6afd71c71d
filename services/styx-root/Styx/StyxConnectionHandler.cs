using Cheshire.Styx.Server;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;

namespace Cheshire.StyxRoot.Styx;

/// <summary>One 9P connection to the namespace, served on Kestrel's transport pipe.</summary>
public sealed class StyxConnectionHandler(NodeNamespace ns, IOptions<StyxRootOptions> options, ILogger<StyxConnectionHandler> logger)
    : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var settings = options.Value;
        var server = new StyxServerConnection(connection.Transport, ns.FileSystem, new StyxServerOptions
        {
            MaxMessageSize = settings.MaxMessageSize,
            MaxConcurrentRequests = settings.MaxConcurrentRequests,
        });
        logger.LogDebug("9P connection {Id} from {Remote}", connection.ConnectionId, connection.RemoteEndPoint);
        // Kestrel asks connections to close when the host stops; 9P has no goodbye, so the connection just ends then.
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        await server.RunAsync(stop.Token);
        if (server.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} from {Remote} closed: {Error}", connection.ConnectionId, connection.RemoteEndPoint, error.Message);
    }
}
