using Cheshire.Styx.Relay;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// One 9P2000.L connection on styx-client's Unix socket (styx-root mounting imports), on Kestrel's transport pipe: a
/// <see cref="MuxConnection"/> whose attaches go to the remote nodes' links, its other requests and their replies passed
/// through as frames. When a link it attached through ends (the remote node restarted, or closed an idle link), the
/// connection is closed too: its fids were on the old link, and the client (styx-root's remote tree) dials again at its
/// next walk, which attaches anew over a fresh link. No remount is needed.
/// </summary>
public sealed class ImportsConnectionHandler(ImportAttacher attacher, ILogger<ImportsConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        var mux = new MuxConnection(connection.Transport, attacher.AttachAsync, new MuxOptions
        {
            MaxMessageSize = NodeLink.MaxMessageSize,
            AttachRefused = attacher.Refused,
        });
        await mux.RunAsync(stop.Token);
        if (mux.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} closed: {Error}", connection.ConnectionId, error.Message);
        else if (mux.EndedWithLink is { } link)
            logger.LogInformation("9P connection {Id} closed: the link it used ended ({Reason})", connection.ConnectionId, link.EndReason);
    }
}
