namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// The "Styx:StyxClientBreaker" section: when calls to styx-client keep failing (it is not running), the resolver stops
/// asking it for <see cref="BreakSeconds"/>, so listings answer with the local names at once and walks to remote names
/// fail at once saying styx-client is unavailable; then one call tries again, and the breaker closes when it answers.
/// </summary>
public sealed class StyxClientBreakerOptions
{
    public const string Section = "Styx:StyxClientBreaker";
    public const string BreakSecondsKey = Section + ":" + nameof(BreakSeconds);
    public const string SamplingSecondsKey = Section + ":" + nameof(SamplingSeconds);
    public const string MinimumCallsKey = Section + ":" + nameof(MinimumCalls);
    public const string FailureRatioKey = Section + ":" + nameof(FailureRatio);

    /// <summary>How long styx-client is not asked once the breaker opens.</summary>
    public double BreakSeconds { get; set; } = 5;

    /// <summary>The window in which failures are counted.</summary>
    public double SamplingSeconds { get; set; } = 2;

    /// <summary>Calls (connection attempts, retries included) in the window before the breaker may open.</summary>
    public int MinimumCalls { get; set; } = 2;

    /// <summary>The share of failed calls in the window that opens the breaker.</summary>
    public double FailureRatio { get; set; } = 0.5;

    public TimeSpan BreakDuration => TimeSpan.FromSeconds(BreakSeconds);
    public TimeSpan SamplingDuration => TimeSpan.FromSeconds(SamplingSeconds);

    /// <summary>Throws naming the key of a value out of range (Polly's own bounds: 0.5 s, 2 calls).</summary>
    public StyxClientBreakerOptions Validate()
    {
        if (!(BreakSeconds is >= 0.5 and <= 3600))
            throw new InvalidOperationException($"{BreakSecondsKey} {BreakSeconds} must be at least 0.5 and at most 3600.");
        if (!(SamplingSeconds is >= 0.5 and <= 3600))
            throw new InvalidOperationException($"{SamplingSecondsKey} {SamplingSeconds} must be at least 0.5 and at most 3600.");
        if (MinimumCalls is < 2 or > 1000)
            throw new InvalidOperationException($"{MinimumCallsKey} {MinimumCalls} must be at least 2 and at most 1000.");
        if (!(FailureRatio is > 0 and <= 1))
            throw new InvalidOperationException($"{FailureRatioKey} {FailureRatio} must be more than 0 and at most 1.");
        return this;
    }
}
