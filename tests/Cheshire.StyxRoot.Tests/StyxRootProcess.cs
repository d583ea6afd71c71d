using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cheshire.StyxRoot.Tests;

/// <summary>The built styx-root module started as its own process on free loopback ports.</summary>
public sealed class StyxRootProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private StyxRootProcess(Process process, string dataDirectory, int styxPort, int grpcPort, int httpPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        StyxPort = styxPort;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        HealthAddress = new Uri($"http://127.0.0.1:{httpPort}/health");
    }

    public string DataDirectory { get; }
    public int StyxPort { get; }
    public Uri GrpcAddress { get; }
    public Uri HealthAddress { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public static string DllPath { get; } = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory,
        "..", "..", "..", "..", "..", "services", "styx-root", "bin", "Debug", "net10.0", "Cheshire.StyxRoot.dll"));

    /// <summary>Starts the module; <paramref name="settings"/> are extra configuration keys.</summary>
    public static StyxRootProcess Start(IDictionary<string, string>? settings = null, string? dataDirectory = null)
    {
        if (!File.Exists(DllPath))
            throw new FileNotFoundException($"styx-root is not built: {DllPath} is missing.");
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "cheshire-styx-" + Guid.NewGuid().ToString("N"));
        int styx = FreePort(), grpc = FreePort(), http = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(DllPath)!,
        };
        info.ArgumentList.Add(DllPath);
        var configuration = new Dictionary<string, string>
        {
            ["Cheshire:DataDir"] = dataDirectory,
            ["Styx:Endpoint"] = $"127.0.0.1:{styx}",
            ["Kestrel:Endpoints:grpc:Url"] = $"http://127.0.0.1:{grpc}",
            ["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{http}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            configuration[key] = value;
        foreach (var (key, value) in configuration)
            info.ArgumentList.Add($"--{key}={value}");

        var process = Process.Start(info)!;
        var started = new StyxRootProcess(process, dataDirectory, styx, grpc, http);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Waits until /health answers Healthy, or fails with the module's output.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"styx-root exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if (await http.GetStringAsync(HealthAddress, ct) == "Healthy")
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"styx-root was not healthy within {timeout}:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    public async Task<TcpClient> ConnectStyxAsync(CancellationToken ct)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, StyxPort, ct);
        return tcp;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
