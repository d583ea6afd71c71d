using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cheshire.Modules;
using Cheshire.Supervisor.Policy;
using Cheshire.Supervisor.Reload;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// An installed module's process, run by the supervisor itself (Aspire adds no resource once the node runs): `dotnet
/// NAME.dll` from its build folder with the environment NodeBuilder gives a module (data folder, user key, salt, the
/// supervisor's and its dependencies' addresses) and its own free loopback gRPC and health ports. Its output goes to
/// DATADIR/modules/logs/NAME.log. It dies with the AppHost, even a killed one (<see cref="BoundProcessLauncher"/>). A
/// process that ends unasked is restarted as Aspire resources are (<see cref="RestartIntensity"/>). Every field is read
/// and written under <see cref="Gate"/>.
/// </summary>
public sealed partial class InstalledProcess(ModuleDescriptor descriptor, ModuleBuild build, string ownerUid,
    IReadOnlyDictionary<string, string> environment, string logFile, RestartIntensity intensity, ILogger logger)
{
    /// <summary>What a module process must not inherit from the AppHost (its own Aspire, MSBuild and test environment).</summary>
    private static readonly string[] StrippedPrefixes =
        ["MSBUILD", "MSBuild", "ASPNETCORE_", "ASPIRE_", "DOTNET_DASHBOARD_", "DOTNET_RESOURCE_SERVICE_", "DOTNET_LAUNCH_PROFILE",
         "OTEL_", "DCP_", "TESTINGPLATFORM_", "VSTEST_", "Cheshire__", "services__", "Kestrel__"];

    public Lock Gate { get; } = new();
    public ModuleDescriptor Descriptor { get; } = descriptor;
    public ModuleBuild Build { get; } = build;
    public string BuildDirectory { get; } = build.Directory;
    /// <summary>The build it runs: its GetInfo version ends with "+" and this id.</summary>
    public string BuildId { get; } = build.Id;
    public string OwnerUid { get; } = ownerUid;
    public string LogFile { get; } = logFile;

    public SupervisionState State { get; private set; } = SupervisionState.Stopped;
    public Process? Process { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public int Restarts { get; private set; }
    public int? LastExitCode { get; private set; }
    public DateTimeOffset? LastExitAt { get; private set; }
    public string FailureReason { get; private set; } = "";
    public string GrpcUrl { get; private set; } = "";
    public string HttpUrl { get; private set; } = "";

    private bool _stopAsked;

    /// <summary>Starts the process with a fresh restart budget; a process that runs (or a crash restart pending) is left as it is.</summary>
    public void Start()
    {
        lock (Gate)
        {
            if (Process is { HasExited: false } || State is SupervisionState.Restarting)
                return;
            _stopAsked = false;
            intensity.Reset();
            Launch();
        }
    }

    /// <summary>Ends the process (and anything it started) and waits for it; no restart follows.</summary>
    public async Task StopAsync()
    {
        Process? process;
        lock (Gate)
        {
            _stopAsked = true;
            process = Process;
            State = SupervisionState.Stopped;
        }
        if (process is null)
            return;
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException) { } // already gone
    }

    /// <summary>A health check answered: a process started again after a crash is running from then on.</summary>
    public void Answered()
    {
        lock (Gate)
            if (State is SupervisionState.Starting && Process is { HasExited: false })
                State = SupervisionState.Running;
    }

    /// <summary>Waits until /health answers 200; null when it does, else why not.</summary>
    public async Task<string?> WaitHealthyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
        var deadline = Stopwatch.StartNew();
        var last = "not started";
        while (deadline.Elapsed < timeout)
        {
            string url;
            lock (Gate)
            {
                if (State is SupervisionState.Failed || Process is { HasExited: true })
                    return $"its process ended: {FailureReason} (log: {LogFile})";
                url = HttpUrl;
            }
            try
            {
                using var response = await http.GetAsync(url + "/health", ct);
                if (response.IsSuccessStatusCode)
                {
                    Answered();
                    return null;
                }
                last = $"/health answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                last = $"/health did not answer: {e.Message}";
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
        return $"not healthy within {timeout.TotalSeconds:0} s ({last}; log: {LogFile})";
    }

    private void Launch()
    {
        GrpcUrl = $"http://127.0.0.1:{FreePort()}";
        HttpUrl = $"http://127.0.0.1:{FreePort()}";
        Directory.CreateDirectory(Path.GetDirectoryName(LogFile)!);
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = BuildDirectory, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$CHESHIRE_MODULE_LOG\" 2>&1 </dev/null");
        foreach (var argument in BoundProcessLauncher.Command(DotnetCommand.Host))
            info.ArgumentList.Add(argument);
        info.ArgumentList.Add(InstalledBuilder.ProgramOf(Descriptor, BuildDirectory));
        foreach (var key in info.Environment.Keys.Where(k => StrippedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        info.Environment["CHESHIRE_MODULE_LOG"] = LogFile;
        info.Environment["Kestrel__Endpoints__grpc__Url"] = GrpcUrl;
        info.Environment["Kestrel__Endpoints__grpc__Protocols"] = "Http2";
        info.Environment["Kestrel__Endpoints__http__Url"] = HttpUrl;
        info.Environment["Kestrel__Endpoints__http__Protocols"] = "Http1";
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.Exited += (_, _) => OnExited(process);
        BoundProcessLauncher.Start(process);
        Process = process;
        StartedAt = DateTimeOffset.UtcNow;
        State = SupervisionState.Starting;
        LogStarted(logger, Descriptor.Name, process.Id, HttpUrl);
    }

    private void OnExited(Process process)
    {
        RestartDecision decision;
        lock (Gate)
        {
            if (Process != process)
                return;
            LastExitCode = process.ExitCode;
            LastExitAt = DateTimeOffset.UtcNow;
            Process = null;
            if (_stopAsked)
                return;
            decision = intensity.OnCrash($"exited with code {process.ExitCode}");
            FailureReason = decision.Reason;
            State = decision.Restart ? SupervisionState.Restarting : SupervisionState.Failed;
        }
        LogExited(logger, Descriptor.Name, process.ExitCode, decision.Reason);
        if (!decision.Restart)
            return;
        _ = Task.Delay(decision.Delay).ContinueWith(_ =>
        {
            lock (Gate)
            {
                if (_stopAsked || State is not SupervisionState.Restarting)
                    return;
                Restarts++;
                Launch();
            }
        }, TaskScheduler.Default);
    }

    private static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed module {Module} started, process {Pid}, health at {Url}")]
    private static partial void LogStarted(ILogger logger, string module, int pid, string url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Installed module {Module} exited with code {Code}: {Decision}")]
    private static partial void LogExited(ILogger logger, string module, int code, string decision);
}
