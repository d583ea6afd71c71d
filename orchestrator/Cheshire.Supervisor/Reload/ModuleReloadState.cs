namespace Cheshire.Supervisor.Reload;

public enum ReloadPhase { Idle, Building, Testing, Restarting }

/// <summary>A module's watch switch and reload history; read and written under <see cref="Gate"/>.</summary>
public sealed class ModuleReloadState(bool watch)
{
    public Lock Gate { get; } = new();
    public bool Watch { get; set; } = watch;
    public ReloadPhase Phase { get; set; }
    public ReloadReport? Last { get; set; }
    public int Reloads { get; set; }
    /// <summary>The last change seen while watching was off (nothing was rebuilt).</summary>
    public DateTimeOffset? IgnoredChangeAt { get; set; }
    public int IgnoredChanges { get; set; }

    public void Enter(ReloadPhase phase)
    {
        lock (Gate)
            Phase = phase;
    }

    /// <summary>A reload has ended: it is the last one, the phase is idle again, and one more reload counts if it switched builds.</summary>
    public ReloadReport Finish(ReloadReport report)
    {
        lock (Gate)
        {
            Last = report;
            Phase = ReloadPhase.Idle;
            if (report.Result == ReloadResult.Reloaded)
                Reloads++;
        }
        return report;
    }
}
