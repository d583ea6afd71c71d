using System.Globalization;

namespace Cheshire.Supervisor.Processes;

/// <summary>
/// A module's own process. Aspire launches a project resource through `dotnet run --no-build`, whose process id is the
/// one its snapshot carries; the module runs as that wrapper's child. Killing the wrapper alone leaves the module
/// running (an orphan holding its ports), and a kill of the module shows as the wrapper's exit. The start time (clock
/// ticks since boot, /proc/PID/stat) tells the process from a later one given the same id.
/// </summary>
public sealed record OwnProcess(int Id, long StartTicks)
{
    /// <summary>
    /// The module's own process under <paramref name="launcher"/> (the process Aspire started): the wrapper's child when
    /// the launcher is `dotnet run`, else the launcher itself; null while the wrapper has not started the module yet, or
    /// when it is gone. Where there is no /proc (not Linux), the launcher.
    /// </summary>
    public static OwnProcess? Find(int launcher)
    {
        if (launcher <= 0)
            return null;
        if (!Directory.Exists("/proc/self"))
            return new OwnProcess(launcher, 0);
        var arguments = CommandLine(launcher);
        if (arguments is null)
            return null;
        var id = IsDotnetRun(arguments) ? Children(launcher).Cast<int?>().FirstOrDefault() : launcher;
        return id is { } own ? Of(own) : null;
    }

    /// <summary>The process <paramref name="pid"/> as it runs now (its start time); null when there is none.</summary>
    public static OwnProcess? Of(int pid) =>
        pid <= 0 ? null : !Directory.Exists("/proc/self") ? new OwnProcess(pid, 0) : StartTicksOf(pid) is { } ticks ? new OwnProcess(pid, ticks) : null;

    /// <summary>The process still runs (the same one: its id not taken by a later process).</summary>
    public bool IsAlive => StartTicks == 0 ? ProcessExists(Id) : StartTicksOf(Id) == StartTicks;

    /// <summary>Asks the process to stop (SIGTERM: a .NET host runs its shutdown); false when it no longer runs.</summary>
    public bool Terminate() => IsAlive && kill(Id, SigTerm) == 0;

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    /// <summary>Waits until the process has ended, at most <paramref name="timeout"/>; true when it has.</summary>
    public async Task<bool> WaitEndedAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (IsAlive)
        {
            if (time.GetElapsedTime(started) >= timeout)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
        }
        return true;
    }

    /// <summary>Kills the process (SIGKILL) if it still runs.</summary>
    public void Kill()
    {
        if (!IsAlive)
            return;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(Id);
            process.Kill();
        }
        catch (ArgumentException) { } // already gone
        catch (InvalidOperationException) { }
    }

    private static bool IsDotnetRun(IReadOnlyList<string> arguments) =>
        arguments.Count > 1 && Path.GetFileName(arguments[0]) is "dotnet" or "dotnet.exe" && arguments[1] == "run";

    private static string[]? CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline")
                .Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static IEnumerable<int> Children(int pid)
    {
        var tasks = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task";
        string[] found;
        try
        {
            found = [.. Directory.EnumerateDirectories(tasks).SelectMany(task => File.ReadAllText(Path.Combine(task, "children"))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries))];
        }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
        return found.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).Order();
    }

    /// <summary>Field 22 of /proc/PID/stat (after the command name in parentheses, which may hold spaces); null for a zombie.</summary>
    private static long? StartTicksOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // a zombie (state Z) has ended; only its parent has not collected its exit status yet
            return fields[0] == "Z" ? null : long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static bool ProcessExists(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
    }
}
