namespace Cheshire.Supervisor.Reload;

public enum ReloadResult
{
    /// <summary>Built, tested and restarted on the new build.</summary>
    Reloaded,
    /// <summary>The build failed: the old build keeps running.</summary>
    BuildFailed,
    /// <summary>The module's tests failed (or did not build): the old build keeps running.</summary>
    TestsFailed,
    /// <summary>The new build did not come up healthy: the old build was put back and started again.</summary>
    RestartFailed,
}

/// <summary>One reload of a module after a source change: how it ended, why, and how long each step took.</summary>
public sealed record ReloadReport
{
    public required ReloadResult Result { get; init; }
    public required string Reason { get; init; }
    /// <summary>The build this reload made (the module runs it when <see cref="Result"/> is Reloaded).</summary>
    public required string BuildId { get; init; }
    /// <summary>The build the module ran before ("" for the AppHost's own build of the checkout).</summary>
    public required string PreviousBuildId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    public TimeSpan BuildTime { get; init; }
    public TimeSpan TestTime { get; init; }
    /// <summary>From the restart command to the module answering /health again.</summary>
    public TimeSpan RestartTime { get; init; }
    /// <summary>The changed files that caused it, relative to the source tree.</summary>
    public IReadOnlyList<string> Changed { get; init; } = [];
    public IReadOnlyList<TestFailure> Failures { get; init; } = [];
    /// <summary>The build's log file (DATADIR/builds/logs).</summary>
    public string Log { get; init; } = "";
}
