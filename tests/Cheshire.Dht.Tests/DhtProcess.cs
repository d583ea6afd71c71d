using Cheshire.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cheshire.Protos.Dht;
using Grpc.Net.Client;

namespace Cheshire.Dht.Tests;

/// <summary>
/// One dht service process (services/dht's own build output) on 127.0.0.1: gRPC and health on free
/// TCP ports, UDP on a free port, its own data folder unless one is given.
/// </summary>
public sealed class DhtProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDirectory;

    private DhtProcess(Process process, string dataDirectory, bool ownsDataDirectory, int grpcPort, int httpPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        GrpcPort = grpcPort;
        HealthUrl = $"http://127.0.0.1:{httpPort}/health";
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Client = new Protos.Dht.Dht.DhtClient(Channel);
    }

    public string DataDirectory { get; }
    public int GrpcPort { get; }
    public string HealthUrl { get; }
    public GrpcChannel Channel { get; }
    public Protos.Dht.Dht.DhtClient Client { get; }

    /// <summary>Filled in once the process has started.</summary>
    public NodeInfoReply Info { get; private set; } = new();

    public string UdpEndpoint => Info.Endpoint;
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    public static string ServiceDll
    {
        get
        {
            // tests/Cheshire.Dht.Tests/bin/<Configuration>/net10.0/ → services/dht/bin/<Configuration>/net10.0/
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = output.Parent!.Name;
            var root = output.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            return Path.Combine(root, "services", "dht", "bin", configuration, output.Name, "Cheshire.Dht.dll");
        }
    }

    public static async Task<DhtProcess> StartAsync(IEnumerable<string>? extraArgs = null, string? dataDirectory = null, int udpPort = 0)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "cheshire-dht-test-" + Guid.NewGuid().ToString("N"));
        var grpcPort = FreePorts.Tcp();
        var httpPort = FreePorts.Tcp();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ServiceDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ServiceDll);
        foreach (var arg in new[]
                 {
                     $"--Cheshire:DataDir={dataDirectory}",
                     "--Dht:Address=127.0.0.1",
                     $"--Dht:Port={udpPort}",
                     $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
                     $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{httpPort}",
                     "--Logging:LogLevel:Default=Warning",
                 }.Concat(extraArgs ?? []))
            info.ArgumentList.Add(arg);
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        var dht = new DhtProcess(process, dataDirectory, owns, grpcPort, httpPort);
        process.OutputDataReceived += (_, e) => dht.Append(e.Data);
        process.ErrorDataReceived += (_, e) => dht.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await dht.WaitUntilServingAsync();
        }
        catch
        {
            await dht.DisposeAsync();
            throw;
        }
        return dht;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"the dht exited with {_process.ExitCode}:\n{Output}");
            try
            {
                Info = await Client.NodeInfoAsync(new NodeInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>The /health answer: Healthy, Degraded or Unhealthy.</summary>
    public async Task<string> HealthAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(HealthUrl);
        return await response.Content.ReadAsStringAsync();
    }

    public async Task<NodeInfoReply> RefreshInfoAsync() =>
        Info = await Client.NodeInfoAsync(new NodeInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(5));

    /// <summary>Stops the process at once (no graceful shutdown), as a crash would.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited) return;
        Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(wait.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        Channel.Dispose();
        if (_ownsDataDirectory && Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
