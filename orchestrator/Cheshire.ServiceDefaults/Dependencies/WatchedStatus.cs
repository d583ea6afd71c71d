namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>
/// What is known of a watched module: its state, why (the status or the stream's error), since when it is in that state,
/// and when it last answered at all (null: never since this process started).
/// </summary>
public sealed record WatchedStatus(string Module, WatchedState State, string Detail, DateTimeOffset Since, DateTimeOffset? LastReachableAt)
{
    public bool Serving => State == WatchedState.Serving;

    public bool Reachable => State is WatchedState.Serving or WatchedState.NotServing or WatchedState.Unknown;
}
