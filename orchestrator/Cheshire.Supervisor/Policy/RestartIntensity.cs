namespace Cheshire.Supervisor.Policy;

/// <summary>
/// One module's restart budget, as an OTP supervisor keeps it: at most MaxRestarts restarts within Window, each after a
/// backoff that doubles with every restart still in the window (capped at MaxBackoff). A crash past the budget gives up.
/// Not thread-safe: the supervisor calls it for one module at a time.
/// </summary>
public sealed class RestartIntensity(SupervisorSettings settings, TimeProvider time)
{
    private readonly Queue<DateTimeOffset> _recent = new();

    /// <summary>Restarts within the window as of now.</summary>
    public int Recent
    {
        get
        {
            Forget(time.GetUtcNow());
            return _recent.Count;
        }
    }

    /// <summary>Decides about a process that ended unasked, for <paramref name="cause"/> (e.g. "exited with code 137").</summary>
    public RestartDecision OnCrash(string cause)
    {
        var now = time.GetUtcNow();
        Forget(now);
        if (_recent.Count >= settings.MaxRestarts)
            return RestartDecision.GiveUp(
                $"{cause}; restarted {_recent.Count} times within {settings.Window.TotalSeconds:0.###} s (limit {settings.MaxRestarts}), not restarted again");
        var delay = Delay(_recent.Count);
        _recent.Enqueue(now);
        return RestartDecision.After(delay, cause);
    }

    /// <summary>A start asked for by a user: the budget starts afresh.</summary>
    public void Reset() => _recent.Clear();

    private TimeSpan Delay(int restartsInWindow)
    {
        var delay = settings.Backoff;
        for (var i = 0; i < restartsInWindow && delay < settings.MaxBackoff; i++)
            delay *= 2;
        return delay < settings.MaxBackoff ? delay : settings.MaxBackoff;
    }

    private void Forget(DateTimeOffset now)
    {
        while (_recent.TryPeek(out var at) && now - at >= settings.Window)
            _recent.Dequeue();
    }
}
