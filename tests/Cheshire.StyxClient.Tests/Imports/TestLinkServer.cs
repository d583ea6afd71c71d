using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Server;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>
/// A node's link endpoint made of the lib pieces: TLS 1.3 link accepts on a loopback port, 9P served on each link,
/// Tattach's aname picks one of the folders given (export path → folder). Counts links and records who attached what.
/// </summary>
internal sealed class TestLinkServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly LinkCredentialsSource _credentials;
    private readonly Dictionary<string, LocalFileSystem> _exports;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _links;
    private int _disposed;

    /// <param name="port">0 for any; the port of a server that stopped to play its node restarting.</param>
    public TestLinkServer(NodeIdentity node, UserIdentity user, IReadOnlyDictionary<string, string> exports, int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _credentials = new LinkCredentialsSource(node, user);
        _exports = exports.ToDictionary(e => e.Key, e => new LocalFileSystem(e.Value));
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Address => $"127.0.0.1:{Port}";
    public int Links => Volatile.Read(ref _links);
    public ConcurrentQueue<(string Uid, string Aname)> Attaches { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = ServeAsync(tcp);
        }
    }

    private async Task ServeAsync(TcpClient tcp)
    {
        try
        {
            await using var link = await LinkStream.AcceptAsync(tcp.GetStream(), _credentials.Current, cancellationToken: _stop.Token);
            Interlocked.Increment(ref _links);
            await new StyxServerConnection(new StreamDuplexPipe(link.Stream), new Exports(this, link.Peer)).RunAsync(_stop.Token);
        }
        catch (Exception e) when (e is LinkAuthenticationException or IOException or OperationCanceledException)
        {
            // a refused or ended link: the importing side's test says what it saw
        }
    }

    private sealed class Exports(TestLinkServer server, LinkPeer peer) : IFileSystem
    {
        public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
        {
            server.Attaches.Enqueue((peer.Uid, request.Aname));
            return server._exports.TryGetValue(request.Aname, out var export)
                ? export.AttachAsync(request with { Aname = "" }, cancellationToken)
                : throw new StyxErrorException(Errno.ENOENT, $"no export {request.Aname} here");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var export in _exports.Values) await export.DisposeAsync();
        _credentials.Dispose();
        _stop.Dispose();
    }
}
