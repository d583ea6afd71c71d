using System.Collections.Concurrent;
using System.Diagnostics;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// Starts processes that die with the AppHost, however it ends (a SIGKILL included): each is started through
/// <c>setpriv --pdeathsig KILL</c>, which sets the Linux parent-death signal and execs the program (same process). The
/// kernel sends that signal when the *thread* that forked the child ends, not the process: a thread-pool thread that
/// retires would kill a healthy module. So every start runs on one dedicated thread that lives as long as the AppHost.
/// Without setpriv (not Linux, no util-linux) processes start as before and <see cref="Bound"/> is false.
/// </summary>
public static class BoundProcessLauncher
{
    private const string SetPriv = "setpriv";

    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Starts = [];

    /// <summary>The path of setpriv, or null when there is none.</summary>
    public static string? SetPrivPath { get; } = OperatingSystem.IsLinux()
        ? (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, SetPriv)).FirstOrDefault(File.Exists)
        : null;

    /// <summary>Whether started processes die with the AppHost.</summary>
    public static bool Bound => SetPrivPath is not null;

    static BoundProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Cheshire installed-module launcher" };
        thread.Start();
    }

    /// <summary>
    /// The arguments that run <paramref name="program"/> with the parent-death signal set (prepended to its own), or
    /// the program alone without setpriv.
    /// </summary>
    public static IEnumerable<string> Command(string program) =>
        SetPrivPath is { } setpriv ? [setpriv, "--pdeathsig", "KILL", "--", program] : [program];

    /// <summary>Starts <paramref name="process"/> on the launcher thread and returns once it has started (or throws why not).</summary>
    public static void Start(Process process)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Starts.Add((process, started));
        started.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach (var (process, started) in Starts.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
