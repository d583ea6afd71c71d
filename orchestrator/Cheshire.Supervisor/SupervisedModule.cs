using Aspire.Hosting.ApplicationModel;
using Cheshire.Modules;
using Cheshire.Supervisor.Policy;
using Cheshire.Supervisor.Processes;

namespace Cheshire.Supervisor;

/// <summary>
/// One supervised resource (a module, or one instance of it) and what the supervisor knows about it. Every field is
/// read and written under <see cref="Gate"/>.
/// </summary>
public sealed class SupervisedModule(string name, ModuleDescriptor descriptor, IReadOnlyList<string> dependents, RestartIntensity intensity)
{
    public const string PidProperty = "executable.pid";

    public Lock Gate { get; } = new();
    public string Name { get; } = name;
    public ModuleDescriptor Descriptor { get; } = descriptor;
    public IReadOnlyList<string> Dependents { get; } = dependents;
    public RestartIntensity Intensity { get; } = intensity;

    /// <summary>
    /// A spare instance (module.json "spareInstances"): explicit-start, not given to dependents, so not started as
    /// anyone's dependency.
    /// </summary>
    public bool Spare { get; init; }

    /// <summary>Not started with the node, but by Modules.Ensure or Start: an explicit-start module, or a spare instance.</summary>
    public bool ExplicitStart => Descriptor.ExplicitStart || Spare;

    public SupervisionState State { get; set; } = SupervisionState.Starting;
    /// <summary>Aspire's state text of the last snapshot (Running, Waiting, Finished, ...).</summary>
    public string AspireState { get; set; } = "";
    public CustomResourceSnapshot? Snapshot { get; set; }

    /// <summary>A process was started since the last one ended: the next terminal state is its end.</summary>
    public bool Launched { get; set; }
    /// <summary>Someone asked it to stop (Modules.Stop, the dashboard, the AppHost): its end is not a crash.</summary>
    public bool StopAsked { get; set; }

    /// <summary>A restart (Modules.Restart, a reload) is under way: the end of its stop is reported as starting, not stopped.</summary>
    public bool RestartAsked { get; set; }

    /// <summary>Completed when the running process's end has been seen; set by a stop that waits for it.</summary>
    public TaskCompletionSource? Ended { get; set; }

    public int Restarts { get; set; }
    public int? LastExitCode { get; set; }
    public DateTimeOffset? LastExitAt { get; set; }
    public string FailureReason { get; set; } = "";
    public DateTimeOffset? NextRestartAt { get; set; }
    /// <summary>Cancels the restart waiting for its backoff (a user start or stop comes first).</summary>
    public CancellationTokenSource? PendingRestart { get; set; }

    /// <summary>The process Aspire started (`dotnet run`, whose child the module is); 0 while none runs.</summary>
    public int LauncherId => Snapshot?.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value switch
    {
        int pid => pid,
        long pid => (int)pid,
        string text when int.TryParse(text, out var pid) => pid,
        _ => 0,
    };

    /// <summary>The module's own process under the current launcher, once found (see <see cref="OwnProcess"/>).</summary>
    public OwnProcess? Own { get; private set; }

    /// <summary>The launcher the own process was found under.</summary>
    public OwnProcess? Launcher { get; private set; }
    private int _ownLauncher;

    /// <summary>The module's own process id (not its `dotnet run` wrapper's); 0 while not known.</summary>
    public int ProcessId => FindOwnProcess()?.Id ?? 0;

    /// <summary>Looks for the module's own process under the current launcher unless it is known already.</summary>
    public OwnProcess? FindOwnProcess()
    {
        var launcher = LauncherId;
        if (launcher != _ownLauncher || Own is null)
        {
            _ownLauncher = launcher;
            Own = OwnProcess.Find(launcher);
            Launcher = Own is null ? null : OwnProcess.Of(launcher);
        }
        return Own;
    }

    /// <summary>Completes when a module process that outlived its launcher is gone (see ModuleSupervisor's reaping).</summary>
    public Task Reaped { get; set; } = Task.CompletedTask;

    /// <summary>Forgets the own process (its launcher has ended); returns it if it still runs.</summary>
    public OwnProcess? ForgetOwnProcess()
    {
        var own = Own;
        Own = null;
        Launcher = null;
        _ownLauncher = 0;
        return own is { IsAlive: true } ? own : null;
    }

    /// <summary>A public URL of the endpoint (e.g. "http", the health endpoint), while the module runs.</summary>
    public string? Url(string endpoint) =>
        Snapshot?.Urls.FirstOrDefault(u => u.Name == endpoint && !u.IsInternal && !u.IsInactive)?.Url;

    public void CancelPendingRestart()
    {
        PendingRestart?.Cancel();
        PendingRestart?.Dispose();
        PendingRestart = null;
        NextRestartAt = null;
    }
}
