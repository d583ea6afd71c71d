using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Cheshire.Testing;

/// <summary>
/// A built Cheshire module (services/&lt;folder&gt;/bin/Debug/net10.0/&lt;dll&gt;) started as its own process with its
/// gRPC and health endpoints on free loopback ports and its own data folder.
/// </summary>
public sealed class ModuleProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly bool _ownsDataDirectory;
    private readonly string _dllPath;
    private readonly IDictionary<string, string>? _settings;
    private readonly int _grpcPort, _httpPort;
    private bool _handedOver;
    private bool _disposed;

    private ModuleProcess(Process process, string name, string dataDirectory, bool ownsDataDirectory, int grpcPort, int httpPort,
        string dllPath, IDictionary<string, string>? settings)
    {
        _process = process;
        _dllPath = dllPath;
        _settings = settings;
        _grpcPort = grpcPort;
        _httpPort = httpPort;
        Name = name;
        DataDirectory = dataDirectory;
        _ownsDataDirectory = ownsDataDirectory;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        HealthAddress = new Uri($"http://127.0.0.1:{httpPort}/health");
    }

    public string Name { get; }
    public string DataDirectory { get; }
    public Uri GrpcAddress { get; }
    public Uri HealthAddress { get; }
    public int ProcessId => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>The repository root (the folder holding Cheshire.sln) above the running test binary.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>services/&lt;folder&gt;/bin/Debug/net10.0/&lt;assembly&gt;.dll</summary>
    public static string ModuleDll(string serviceFolder, string assembly) =>
        Path.Combine(RepositoryRoot, "services", serviceFolder, "bin", "Debug", "net10.0", assembly + ".dll");

    /// <summary>
    /// Starts the module. <paramref name="settings"/> are extra configuration keys (command-line form).
    /// A given <paramref name="dataDirectory"/> is kept on dispose (restart tests); otherwise a fresh one is made and removed.
    /// </summary>
    public static ModuleProcess Start(string dllPath, IDictionary<string, string>? settings = null, string? dataDirectory = null) =>
        Start(dllPath, settings, dataDirectory, dataDirectory is null, FreePorts.Tcp(), FreePorts.Tcp());

    /// <summary>
    /// Kills this process (as a crash would) and starts the module again with the same settings, data folder and ports,
    /// as a supervisor restarting it would. The new process owns the data folder from now on.
    /// </summary>
    public async Task<ModuleProcess> RestartAsync()
    {
        await KillAsync();
        _handedOver = true;
        return Start(_dllPath, _settings, DataDirectory, _ownsDataDirectory, _grpcPort, _httpPort);
    }

    /// <summary>Kills the process (SIGKILL) and waits for it to exit; the data folder stays.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private static ModuleProcess Start(string dllPath, IDictionary<string, string>? settings, string? dataDirectory, bool owns, int grpc, int http)
    {
        if (!File.Exists(dllPath))
            throw new FileNotFoundException($"the module is not built: {dllPath} is missing.");
        var name = Path.GetFileNameWithoutExtension(dllPath);
        dataDirectory ??= NewTempDirectory(name);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dllPath)!,
        };
        info.ArgumentList.Add(dllPath);
        var configuration = new Dictionary<string, string>
        {
            ["Cheshire:DataDir"] = dataDirectory,
            ["Kestrel:Endpoints:grpc:Url"] = $"http://127.0.0.1:{grpc}",
            ["Kestrel:Endpoints:http:Url"] = $"http://127.0.0.1:{http}",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            configuration[key] = value;
        foreach (var (key, value) in configuration)
            info.ArgumentList.Add($"--{key}={value}");

        var process = Process.Start(info)!;
        var started = new ModuleProcess(process, name, dataDirectory, owns, grpc, http, dllPath, settings);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public static string NewTempDirectory(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cheshire-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>
    /// Waits until /health answers Healthy, or Degraded: a module that is up but alone (a dht without peers) or without a
    /// dependency the test does not run (every module is Degraded while one it depends on is down). With
    /// <paramref name="acceptDegraded"/> false only Healthy will do. Fails with the module's output.
    /// </summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken ct, bool acceptDegraded = true)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                var status = await http.GetStringAsync(HealthAddress, ct);
                if (status == "Healthy" || (acceptDegraded && status == "Degraded"))
                    return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            await Task.Delay(200, ct);
        }
        throw new TimeoutException($"{Name} was not healthy within {timeout}:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>Graceful stop (SIGTERM, as systemd or Aspire would), so the module runs its shutdown work.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited && kill(_process.Id, 15) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        return await WaitForExitAsync(timeout);
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Cheshire.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Cheshire.sln above {AppContext.BaseDirectory}");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await KillAsync();
        _process.Dispose();
        if (_ownsDataDirectory && !_handedOver && Directory.Exists(DataDirectory))
            Directory.Delete(DataDirectory, recursive: true);
    }
}
