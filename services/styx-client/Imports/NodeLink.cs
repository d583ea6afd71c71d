using System.Diagnostics;
using System.Net.Sockets;
using Cheshire.GlobalNamespace;
using Cheshire.Link;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;
using Cheshire.StyxClient.Links;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// The one 9P session with a remote node, shared by every import from it and every connection on the socket: a
/// <see cref="MuxLink"/> over a link (TLS 1.3, the server authenticated as the node id its signed entry names), dialled
/// at the first attach and again after the link drops. Each attach sends its export path as Tattach's aname on it.
/// </summary>
public sealed class NodeLink : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    /// <summary>msize offered on the link: the largest a connection on the socket may have.</summary>
    public const uint MaxMessageSize = StyxConstants.DefaultMessageSize;

    private readonly byte[] _nodeId;
    private readonly LinkCredentialsSource _credentials;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _dialling = new(1, 1);
    private volatile IReadOnlyList<string> _addresses;
    private volatile string _state = "idle";
    private volatile MuxLink? _session;
    private bool _disposed;

    public NodeLink(byte[] nodeId, IReadOnlyList<string> addresses, LinkCredentialsSource credentials, ILogger logger)
    {
        _nodeId = nodeId;
        _addresses = addresses;
        _credentials = credentials;
        _logger = logger;
    }

    public string NodeIdHex => Convert.ToHexStringLower(_nodeId);
    public LinkCounters Counters { get; } = new();
    public string? Address { get; private set; }
    public string? Error { get; private set; }
    public TimeSpan? Latency { get; private set; }

    /// <summary>idle (never dialled), connecting, connected, disconnected, failed (see <see cref="Error"/>), or closed.</summary>
    public string State => _session is { IsAlive: true } ? "connected" : _state;

    /// <summary>The node's addresses as its newest entry lists them: the next dial uses these.</summary>
    public void Update(IReadOnlyList<string> addresses) => _addresses = addresses;

    /// <summary>The live session with the node, dialled (once, for every caller waiting) when there is none.</summary>
    /// <exception cref="IOException">The node cannot be linked to (the message says why, per address).</exception>
    public async Task<MuxLink> ConnectAsync(CancellationToken ct)
    {
        if (_session is { IsAlive: true } live) return live;
        await _dialling.WaitAsync(ct);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { IsAlive: true } dialled) return dialled;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ConnectTimeout);
            var session = await DialAsync(timeout.Token);
            session.Ended.Register(() => Ended(session));
            _session = session;
            return session;
        }
        finally
        {
            _dialling.Release();
        }
    }

    private async Task<MuxLink> DialAsync(CancellationToken ct)
    {
        _state = "connecting";
        var failures = new List<string>();
        foreach (var address in _addresses)
        {
            if (!EntryAddress.TryParse(address, out var host, out var port, out var whyNot))
            {
                failures.Add($"{address}: {whyNot}");
                continue;
            }
            var tcp = new TcpClient { NoDelay = true };
            var started = Stopwatch.GetTimestamp();
            try
            {
                await tcp.ConnectAsync(host, port, ct);
                var transport = new CountingStream(tcp.GetStream(), Counters);
                var link = await LinkStream.ConnectAsync(transport, _credentials.Current, _nodeId, LinkBuffering.Options, ct);
                var session = await MuxLink.OpenAsync(link.Stream, MaxMessageSize, ct);
                (Address, Latency, Error, _state) = (address, Stopwatch.GetElapsedTime(started), null, "connected");
                _logger.LogInformation("Linked to node {Node} at {Address} in {Ms:0} ms (msize {Msize})", NodeIdHex, address,
                    Latency.Value.TotalMilliseconds, session.MaxMessageSize);
                return session;
            }
            catch (Exception e) when (e is SocketException or IOException or LinkAuthenticationException)
            {
                tcp.Dispose();
                failures.Add($"{address}: {e.Message}");
            }
        }
        Error = failures.Count == 0 ? "its entry lists no address" : string.Join("; ", failures);
        _state = "failed";
        _logger.LogWarning("Cannot link to node {Node}: {Error}", NodeIdHex, Error);
        throw new IOException($"cannot link to node {NodeIdHex}: {Error}");
    }

    private void Ended(MuxLink session)
    {
        if (_state != "closed") _state = "disconnected";
        _logger.LogInformation("Link to node {Node} ended: {Reason}", NodeIdHex, session.EndReason);
    }

    public async ValueTask DisposeAsync()
    {
        await _dialling.WaitAsync();
        try
        {
            _disposed = true;
            _state = "closed";
            if (_session is { } session) await session.DisposeAsync();
        }
        finally
        {
            _dialling.Release();
        }
    }
}
