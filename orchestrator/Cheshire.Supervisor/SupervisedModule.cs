using Aspire.Hosting.ApplicationModel;
using Cheshire.Modules;
using Cheshire.Supervisor.Policy;

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

    public SupervisionState State { get; set; } = SupervisionState.Starting;
    /// <summary>Aspire's state text of the last snapshot (Running, Waiting, Finished, ...).</summary>
    public string AspireState { get; set; } = "";
    public CustomResourceSnapshot? Snapshot { get; set; }

    /// <summary>A process was started since the last one ended: the next terminal state is its end.</summary>
    public bool Launched { get; set; }
    /// <summary>Someone asked it to stop (Modules.Stop, the dashboard, the AppHost): its end is not a crash.</summary>
    public bool StopAsked { get; set; }

    /// <summary>Completed when the running process's end has been seen; set by a stop that waits for it.</summary>
    public TaskCompletionSource? Ended { get; set; }

    public int Restarts { get; set; }
    public int? LastExitCode { get; set; }
    public DateTimeOffset? LastExitAt { get; set; }
    public string FailureReason { get; set; } = "";
    public DateTimeOffset? NextRestartAt { get; set; }
    /// <summary>Cancels the restart waiting for its backoff (a user start or stop comes first).</summary>
    public CancellationTokenSource? PendingRestart { get; set; }

    public int ProcessId => Snapshot?.Properties.FirstOrDefault(p => p.Name == PidProperty)?.Value switch
    {
        int pid => pid,
        long pid => (int)pid,
        string text when int.TryParse(text, out var pid) => pid,
        _ => 0,
    };

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
