namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>How a watched module answers grpc.health.v1 Watch.</summary>
public enum WatchedState
{
    /// <summary>Not asked yet, or its first answer has not come.</summary>
    NotSeen,
    Serving,
    NotServing,
    /// <summary>It answers, but reports UNKNOWN or SERVICE_UNKNOWN.</summary>
    Unknown,
    /// <summary>The stream failed or ended: nothing answers at its address (stopped, killed, restarting).</summary>
    Unreachable,
}
