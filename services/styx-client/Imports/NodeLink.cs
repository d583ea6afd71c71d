using System.Diagnostics;
using System.Net.Sockets;
using Cheshire.GlobalNamespace;
using Cheshire.Link;
using Cheshire.Styx.Remote;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// The one 9P session with a remote node, shared by every import from it: a <see cref="RemoteFileSystem"/> over a
/// link (TLS 1.3, the server authenticated as the node id its signed entry names), dialled at the first attach and
/// again after the link drops. Each import attaches its export path (Tattach aname) on it.
/// </summary>
public sealed class NodeLink : IAsyncDisposable
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);

    private readonly byte[] _nodeId;
    private readonly LinkCredentialsSource _credentials;
    private readonly ILogger _logger;
    private volatile IReadOnlyList<string> _addresses;
    private volatile string _state = "idle";
    private CancellationTokenSource _connection = new();

    public NodeLink(byte[] nodeId, IReadOnlyList<string> addresses, LinkCredentialsSource credentials, string uname, ILogger logger)
    {
        _nodeId = nodeId;
        _addresses = addresses;
        _credentials = credentials;
        _logger = logger;
        Tree = RemoteFileSystem.Create(DialAsync, "", uname, new RemoteOptions { ForwardAname = true, ConnectTimeout = ConnectTimeout });
    }

    public string NodeIdHex => Convert.ToHexStringLower(_nodeId);
    public RemoteFileSystem Tree { get; }
    public LinkCounters Counters { get; } = new();
    public string? Address { get; private set; }
    public string? Error { get; private set; }
    public TimeSpan? Latency { get; private set; }

    /// <summary>idle (never dialled), connecting, connected, disconnected, failed (see <see cref="Error"/>), or closed.</summary>
    public string State => Tree.Dialect is not null ? "connected" : _state;

    /// <summary>Cancelled when the current connection to the node ends (the next attach dials again).</summary>
    public CancellationToken Connection => Volatile.Read(ref _connection).Token;

    /// <summary>The node's addresses as its newest entry lists them: the next dial uses these.</summary>
    public void Update(IReadOnlyList<string> addresses) => _addresses = addresses;

    private async ValueTask<Stream> DialAsync(CancellationToken ct)
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
                var connection = new CancellationTokenSource();
                var transport = new CountingStream(tcp.GetStream(), Counters, () => Ended(connection));
                var link = await LinkStream.ConnectAsync(transport, _credentials.Current, _nodeId, cancellationToken: ct);
                Volatile.Write(ref _connection, connection);
                (Address, Latency, Error, _state) = (address, Stopwatch.GetElapsedTime(started), null, "connected");
                _logger.LogInformation("Linked to node {Node} at {Address} in {Ms:0} ms", NodeIdHex, address, Latency.Value.TotalMilliseconds);
                return link.Stream;
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

    private void Ended(CancellationTokenSource connection)
    {
        if (connection.IsCancellationRequested) return;
        _state = "disconnected";
        try
        {
            connection.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Tree.DisposeAsync();
        _state = "closed";
    }
}
