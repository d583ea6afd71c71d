using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cheshire.Link;
using Cheshire.Styx.Remote;

namespace Cheshire.StyxClient.Links;

/// <summary>
/// Accepts links from other nodes on <see cref="LinkSettings.Endpoint"/>: each connection is authenticated
/// (<see cref="LinkStream.AcceptAsync"/> with this node's credentials), then spliced onto its own connection to
/// styx-provider (<see cref="LinkSplice"/>) until the peer hangs up, breaks the protocol, stays idle too long, the
/// provider's connection ends (it restarted: the peer dials again) or the module stops.
/// A connection that fails the TLS check is closed and logged; the listener carries on.
/// </summary>
public sealed class LinkListener(
    LinkSettings settings,
    LinkCredentialsSource credentials,
    ExportCatalog catalog,
    TimeProvider clock,
    ILogger<LinkListener> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<Task, bool> _links = new();
    private Socket? _socket;
    private int _open;

    /// <summary>Where the listener is bound (the port chosen when the setting asked for port 0).</summary>
    public IPEndPoint? LocalEndpoint => _socket?.LocalEndPoint as IPEndPoint;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Bound here, not in ExecuteAsync, so a port in use stops the module at start with the reason.
        var socket = new Socket(settings.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (settings.Endpoint.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            socket.Bind(settings.Endpoint);
            socket.Listen(128);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"{LinkSettings.EndpointKey}: cannot listen for links on {settings.Endpoint}: {e.Message}", e);
        }
        _socket = socket;
        logger.LogInformation("Listening for links on {Endpoint}", socket.LocalEndPoint);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = _socket!;
        await using var closeOnStop = stoppingToken.Register(socket.Dispose);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await socket.AcceptAsync(stoppingToken);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                {
                    continue;
                }
                if (Interlocked.Increment(ref _open) > settings.MaxLinks)
                {
                    Interlocked.Decrement(ref _open);
                    logger.LogWarning("Link from {Address} closed: {Max} links are open ({Key})", client.RemoteEndPoint, settings.MaxLinks, LinkSettings.MaxLinksKey);
                    client.Dispose();
                    continue;
                }
                var link = ServeAsync(client, stoppingToken);
                _links.TryAdd(link, true);
                _ = link.ContinueWith(t => _links.TryRemove(t, out _), TaskScheduler.Default);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
        {
        }
        await Task.WhenAll(_links.Keys);
    }

    private async Task ServeAsync(Socket client, CancellationToken stoppingToken)
    {
        await Task.Yield(); // off the accept loop
        var address = client.RemoteEndPoint;
        try
        {
            client.NoDelay = true;
            var transport = new ActivityStream(new NetworkStream(client, ownsSocket: true), clock);
            LinkConnection link;
            try
            {
                link = await LinkStream.AcceptAsync(transport, credentials.Current, LinkBuffering.Options, stoppingToken);
            }
            catch (LinkAuthenticationException e)
            {
                logger.LogWarning("Link from {Address} refused ({Check}): {Reason}", address, e.Failure, e.Message);
                return;
            }
            await using (link)
                await ServeLinkAsync(link, transport, address, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Link from {Address} failed", address);
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    private async Task ServeLinkAsync(LinkConnection link, ActivityStream transport, EndPoint? address, CancellationToken stoppingToken)
    {
        logger.LogInformation("Link from {Peer} at {Address}", link.Peer, address);
        Stream provider;
        try
        {
            provider = await RemoteFileSystem.UnixDialer(settings.ProviderSocket)(stoppingToken);
        }
        catch (SocketException e)
        {
            logger.LogWarning("Link from {Peer} closed: cannot reach styx-provider at {Socket}: {Error}", link.Peer, settings.ProviderSocket, e.Message);
            return;
        }
        await using var closeProvider = provider;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var splice = new LinkSplice(link.Peer, link.Stream, provider, catalog, logger);
        var idle = CloseWhenIdleAsync(transport, stop);
        await splice.RunAsync(stop.Token);
        var wasIdle = stop.IsCancellationRequested && !stoppingToken.IsCancellationRequested;
        await stop.CancelAsync();
        await idle;
        if (splice.ProtocolError is { } error)
            logger.LogWarning("Link from {Peer} closed: {Error}", link.Peer, error.Message);
        else if (splice.ProviderEnded is { } ended)
            logger.LogWarning("Link from {Peer} closed: {Reason}", link.Peer, ended);
        else if (wasIdle)
            logger.LogInformation("Link from {Peer} closed after {Idle} idle", link.Peer, settings.IdleTimeout);
        else
            logger.LogInformation("Link from {Peer} ended", link.Peer);
    }

    private async Task CloseWhenIdleAsync(ActivityStream transport, CancellationTokenSource stop)
    {
        var check = settings.IdleTimeout / 4;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var left = settings.IdleTimeout - transport.Idle;
                if (left <= TimeSpan.Zero)
                {
                    await stop.CancelAsync();
                    return;
                }
                await Task.Delay(left < check ? left : check, clock, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
