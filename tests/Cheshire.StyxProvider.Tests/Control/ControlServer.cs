using System.Net;
using System.Net.Sockets;
using Cheshire.StyxProvider.Control;
using Cheshire.StyxProvider.Extensions;
using Cheshire.Styx.Client;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>
/// The control trees built in the test process (AddControlTrees, module addresses as service-discovery config keys),
/// mounted at /dht and /mainline of a namespace and served over 9P on 127.0.0.1.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];

    public ControlServer(Uri dhtGrpc, Uri? mainlineGrpc)
    {
        var settings = new Dictionary<string, string?> { ["services:dht:grpc:0"] = dhtGrpc.ToString().TrimEnd('/') };
        if (mainlineGrpc is not null) settings["services:mainline-dht:grpc:0"] = mainlineGrpc.ToString().TrimEnd('/');
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        // as AddServiceDefaults does for a module
        services.AddServiceDiscovery();
        services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        services.AddControlTrees();
        _services = services.BuildServiceProvider();

        var ns = new Namespace();
        foreach (var (name, tree) in _services.GetRequiredService<ControlTrees>().Trees)
            ns.Mount("/" + name, tree, description: $"control tree {name}");
        _listener.Start();
        _acceptLoop = AcceptAsync(ns);
    }

    private async Task AcceptAsync(Namespace ns)
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                var connection = new StyxServerConnection(new StreamDuplexPipe(new NetworkStream(socket, ownsSocket: true)), ns);
                lock (_connections) _connections.Add(connection.RunAsync(_stop.Token));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A 9P2000.u session (errors carry both the text and the errno) attached to the namespace root.</summary>
    public async Task<ControlSession> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        var client = await StyxClient.ConnectAsync(new NetworkStream(socket, ownsSocket: true), DialectNames.Unix, 64 * 1024);
        return await ControlSession.AttachAsync(client);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections) connections = [.. _connections];
        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(10));
        await _services.DisposeAsync();
        _stop.Dispose();
    }
}
