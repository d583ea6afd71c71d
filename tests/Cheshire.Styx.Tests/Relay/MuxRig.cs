using System.Net;
using System.Net.Sockets;
using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;
using Cheshire.Styx.Server;

namespace Cheshire.Styx.Tests.Relay;

/// <summary>
/// A relay on loopback sockets: a real 9P server (<see cref="LoopbackServer"/>), one <see cref="MuxLink"/> to it, and a
/// listener whose every client connection is a <see cref="MuxConnection"/> attaching through that link.
/// </summary>
internal sealed class MuxRig : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(MuxConnection Connection, Task Run)> _connections = [];
    private readonly Task _accepting;

    private MuxRig(LoopbackServer server, MuxLink link, MuxOptions options)
    {
        Server = server;
        Link = link;
        _listener.Start();
        _accepting = AcceptAsync(options);
    }

    public LoopbackServer Server { get; }

    /// <summary>Attaches refused, with the reason (what a log would say).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> Refusals { get; private set; } = new();
    public MuxLink Link { get; private set; }

    /// <summary>Where attaches go; by default the one link, with the client's own fields.</summary>
    public MuxAttacher Attacher { get; set; } = null!;

    public static async Task<MuxRig> StartAsync(IFileSystem fileSystem, uint linkMsize = StyxConstants.DefaultMessageSize,
        MuxOptions? options = null)
    {
        var server = new LoopbackServer(fileSystem);
        var link = await OpenLinkAsync(server, linkMsize);
        var refusals = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var rig = new MuxRig(server, link, (options ?? new MuxOptions()) with { AttachRefused = (aname, e) => refusals.Enqueue($"{aname}: {e}") });
        rig.Refusals = refusals;
        rig.Attacher = (request, _) => ValueTask.FromResult(new MuxAttachTarget(rig.Link, request.Aname, request.Uname, request.NUname));
        return rig;
    }

    private static async Task<MuxLink> OpenLinkAsync(LoopbackServer server, uint msize) =>
        await MuxLink.OpenAsync(new NetworkStream(await server.ConnectSocketAsync(), ownsSocket: true), msize, CancellationToken.None);

    /// <summary>Opens a new link to the server (after the old one ended).</summary>
    public async Task RedialAsync(uint msize = StyxConstants.DefaultMessageSize) => Link = await OpenLinkAsync(Server, msize);

    public MuxConnection[] Connections
    {
        get
        {
            lock (_connections) return [.. _connections.Select(c => c.Connection)];
        }
    }

    /// <summary>Runs of the connections so far: each completes when its connection has closed.</summary>
    public Task[] Runs
    {
        get
        {
            lock (_connections) return [.. _connections.Select(c => c.Run)];
        }
    }

    private async Task AcceptAsync(MuxOptions options)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                socket.NoDelay = true;
                var connection = new MuxConnection(new StreamDuplexPipe(new NetworkStream(socket, ownsSocket: true)),
                    (request, ct) => Attacher(request, ct), options);
                lock (_connections) _connections.Add((connection, connection.RunAsync(_stop.Token)));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException) when (_stop.IsCancellationRequested)
        {
        }
    }

    public async Task<Socket> ConnectSocketAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        return socket;
    }

    public async Task<StyxClient> ConnectAsync(uint msize = StyxConstants.DefaultMessageSize) =>
        await StyxClient.ConnectAsync(new NetworkStream(await ConnectSocketAsync(), ownsSocket: true), DialectNames.Linux, msize);

    public async Task<StyxFs> MountAsync(string aname = "", uint msize = StyxConstants.DefaultMessageSize) =>
        await StyxFs.MountAsync(new NetworkStream(await ConnectSocketAsync(), ownsSocket: true), "glenda", aname, DialectNames.Linux, msize, 0);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(Runs).WaitAsync(TimeSpan.FromSeconds(10));
        await Link.DisposeAsync();
        await Server.DisposeAsync();
        _stop.Dispose();
    }
}
