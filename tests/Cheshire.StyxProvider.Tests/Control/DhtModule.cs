using Cheshire.Protos.Dht;
using Cheshire.Testing;
using Grpc.Net.Client;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>
/// The dht module as a process on 127.0.0.1 with fixed ports and data folder, so it can be killed and started again
/// as the same node at the same address.
/// </summary>
internal sealed class DhtModule : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, string> _settings;
    private readonly GrpcChannel _channel;
    private ModuleProcess _process;

    private DhtModule(ModuleProcess process, Dictionary<string, string> settings, int udpPort, Uri grpcAddress)
    {
        _process = process;
        _settings = settings;
        UdpPort = udpPort;
        GrpcAddress = grpcAddress;
        _channel = GrpcChannel.ForAddress(grpcAddress);
        Client = new DhtClient(_channel);
    }

    public static string Dll => ModuleProcess.ModuleDll("dht", "Cheshire.Dht");

    public int UdpPort { get; }
    public string UdpEndpoint => $"127.0.0.1:{UdpPort}";
    public Uri GrpcAddress { get; }
    public string DataDirectory => _process.DataDirectory;
    public DhtClient Client { get; }
    public NodeInfoReply Info { get; private set; } = new();
    public string Output => _process.Output;

    public static async Task<DhtModule> StartAsync(CancellationToken ct)
    {
        int udp = FreePorts.Udp(), grpc = FreePorts.Tcp(), http = FreePorts.Tcp();
        var grpcAddress = new Uri($"http://127.0.0.1:{grpc}");
        var settings = new Dictionary<string, string>
        {
            ["Dht:Address"] = "127.0.0.1",
            ["Dht:Port"] = udp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kestrel:Endpoints:grpc:Url"] = grpcAddress.ToString().TrimEnd('/'),
            ["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{http}",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var module = new DhtModule(ModuleProcess.Start(Dll, settings, ModuleProcess.NewTempDirectory("control-dht")), settings, udp, grpcAddress);
        try
        {
            await module.WaitServingAsync(ct);
        }
        catch
        {
            await module.DisposeAsync();
            throw;
        }
        return module;
    }

    /// <summary>Stops the process at once, as a crash would.</summary>
    public ValueTask KillAsync() => _process.DisposeAsync();

    /// <summary>Starts the module again on the same ports and data folder (after <see cref="KillAsync"/>).</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        _process = ModuleProcess.Start(Dll, _settings, DataDirectory);
        await WaitServingAsync(ct);
    }

    /// <summary>Until the gRPC API answers NodeInfo (a lone node is Degraded, so /health is not the signal).</summary>
    private async Task WaitServingAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the dht exited with {_process.ExitCode}:\n{Output}");
            try
            {
                Info = await Client.NodeInfoAsync(new NodeInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: ct);
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        var dataDirectory = DataDirectory;
        await _process.DisposeAsync();
        _channel.Dispose();
        if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
    }
}
