namespace Cheshire.Supervisor;

/// <summary>Where a module stands as the supervisor sees it.</summary>
public enum SupervisionState
{
    /// <summary>Waiting for its dependencies, or its process is starting.</summary>
    Starting,
    Running,
    /// <summary>Stopped on request (Modules.Stop, the dashboard), exited with code 0, not started yet, or stopping.</summary>
    Stopped,
    /// <summary>Its process ended unasked; it is started again after a backoff.</summary>
    Restarting,
    /// <summary>It crashed more often than the restart intensity allows; left stopped until a user starts it.</summary>
    Failed,
}
