using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Server;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// One 9P connection on styx-client's Unix socket (styx-root mounting imports), on Kestrel's transport pipe. When a link
/// it attached through ends (the remote node restarted, or closed an idle link), the connection is closed too: its fids
/// were on the old link, and the client (styx-root's remote tree) dials again at its next walk, which attaches anew over
/// a fresh link. No remount is needed.
/// </summary>
public sealed class ImportsConnectionHandler(ImportsFileSystem imports, ILogger<ImportsConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var closing = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, closing);
        await using var attached = new FollowingLinks(imports, stop);
        var server = new StyxServerConnection(connection.Transport, attached, new StyxServerOptions { MaxMessageSize = 512 * 1024 + 24 });
        await server.RunAsync(stop.Token);
        if (server.ProtocolError is { } error)
            logger.LogWarning("9P connection {Id} closed: {Error}", connection.ConnectionId, error.Message);
        else if (attached.LinkEnded)
            logger.LogInformation("9P connection {Id} closed: the link it used ended", connection.ConnectionId);
    }

    /// <summary>The imports as one connection sees them: every attach ties the connection to the link it went over.</summary>
    private sealed class FollowingLinks(ImportsFileSystem imports, CancellationTokenSource stop) : IFileSystem, IAsyncDisposable
    {
        private readonly List<CancellationTokenRegistration> _links = [];
        private volatile bool _ended;

        public bool LinkEnded => _ended;

        public async ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
        {
            var (root, link) = await imports.AttachImportAsync(request, cancellationToken);
            var registration = link.Connection.Register(() =>
            {
                _ended = true;
                stop.Cancel();
            });
            lock (_links) _links.Add(registration);
            return root;
        }

        public async ValueTask DisposeAsync()
        {
            CancellationTokenRegistration[] links;
            lock (_links) links = [.. _links];
            foreach (var link in links) await link.DisposeAsync();
        }
    }
}
