using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests;

/// <summary>
/// A whole node started as a user starts it: <c>dotnet run --project orchestrator/Cheshire.AppHost -- SETTINGS</c>
/// (with its launch profile, so the dashboard runs too). Disposing stops it with SIGTERM, as Ctrl+C in a service would.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(45);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private readonly CancellationTokenSource _exited = new();

    private AppHostProcess(Process process)
    {
        _process = process;
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) => _exited.Cancel();
    }

    /// <summary>Cancelled when the AppHost exits: waits on the node end early instead of at their timeout.</summary>
    public CancellationToken Exited => _exited.Token;

    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    /// <summary>Starts the AppHost (already built: --no-build) with settings in command-line form (KEY=VALUE).</summary>
    public static AppHostProcess Start(params string[] settings)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ModuleProcess.RepositoryRoot,
        };
        foreach (var argument in new[] { "run", "--no-build", "--project", Path.Combine("orchestrator", "Cheshire.AppHost"), "--" })
            info.ArgumentList.Add(argument);
        foreach (var setting in settings)
            info.ArgumentList.Add("--" + setting);
        var started = new AppHostProcess(Process.Start(info)!);
        started._process.OutputDataReceived += (_, e) => started.Append(e.Data);
        started._process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Runs a wait on the node; when the AppHost exits meanwhile, fails at once with its exit code and output.</summary>
    public async Task<T> WhileRunningAsync<T>(Func<CancellationToken, Task<T>> wait, CancellationToken ct)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, Exited);
        try
        {
            return await wait(both.Token);
        }
        catch (OperationCanceledException) when (Exited.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await _process.WaitForExitAsync(CancellationToken.None);
            throw new InvalidOperationException($"the AppHost exited with {_process.ExitCode}:\n{Output}");
        }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>
    /// Waits until no process runs with this data folder (Cheshire__DataDir in its environment): the AppHost can exit
    /// while its modules are still stopping, and a module may still write its state (e.g. mainline-dht's routing table).
    /// </summary>
    public static Task WaitForModulesGoneAsync(string dataDirectory) =>
        Eventually.TrueAsync(() => Task.FromResult(!Directory.EnumerateDirectories("/proc")
                .Where(p => int.TryParse(Path.GetFileName(p), out _))
                .Any(p => HasSetting(p, "Cheshire__DataDir=" + dataDirectory))),
            StopTimeout, $"the modules of the node in {dataDirectory} to exit");

    private static bool HasSetting(string process, string setting)
    {
        try
        {
            return File.ReadAllText(Path.Combine(process, "environ")).Split('\0').Contains(setting);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone meanwhile, or not ours to read
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            kill(_process.Id, 15);
            using var cts = new CancellationTokenSource(StopTimeout);
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
    }
}
