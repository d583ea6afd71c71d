using Cheshire.Styx.Server;
using Microsoft.AspNetCore.Connections;
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
        await server.RunAsync(connection.ConnectionClosed);
        if (server.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} from {Remote} closed: {Error}", connection.ConnectionId, connection.RemoteEndPoint, error.Message);
    }
}
