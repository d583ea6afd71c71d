namespace Cheshire.Supervisor.Policy;

/// <summary>What to do about a module whose process ended unasked: start it after <see cref="Delay"/>, or give up.</summary>
public sealed record RestartDecision(bool Restart, TimeSpan Delay, string Reason)
{
    public static RestartDecision After(TimeSpan delay, string reason) => new(true, delay, reason);
    public static RestartDecision GiveUp(string reason) => new(false, TimeSpan.Zero, reason);
}
