using System.Net;

namespace Cheshire.Mainline.Security;

/// <summary>A token bucket: <see cref="Rate"/> tokens per second, up to <see cref="Burst"/>.</summary>
public sealed class TokenBucket(double rate, double burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _updated = now;

    public double Rate { get; } = rate;
    public double Burst { get; } = burst;
    public DateTimeOffset LastUsed => _updated;

    public bool TryTake(DateTimeOffset now)
    {
        var elapsed = (now - _updated).TotalSeconds;
        if (elapsed > 0)
        {
            _tokens = Math.Min(Burst, _tokens + elapsed * Rate);
            _updated = now;
        }
        if (_tokens < 1)
            return false;
        _tokens -= 1;
        return true;
    }
}

public enum RateDecision
{
    Allow,

    /// <summary>Over the limit: answer with an error (cheap, tells honest clients to back off).</summary>
    Reject,

    /// <summary>Far over the limit: drop silently (no amplification for floods).</summary>
    Drop,
}

/// <summary>Incoming query limits: one bucket per source IP plus one global bucket.</summary>
public sealed class RateLimiter(RateLimitOptions options, TimeProvider clock)
{
    private readonly Dictionary<IPAddress, (TokenBucket Queries, TokenBucket Errors)> _perIp = [];
    private readonly TokenBucket _global = new(options.GlobalQueriesPerSecond, options.GlobalBurst, clock.GetUtcNow());
    private readonly Lock _lock = new();

    public int TrackedAddresses
    {
        get { lock (_lock) return _perIp.Count; }
    }

    public RateDecision Check(IPAddress source)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_perIp.TryGetValue(source, out var buckets))
            {
                if (_perIp.Count >= options.MaxTrackedAddresses)
                    Prune(now, force: true);
                buckets = (new TokenBucket(options.PerIpQueriesPerSecond, options.PerIpBurst, now),
                    new TokenBucket(options.PerIpErrorsPerSecond, options.PerIpErrorBurst, now));
                _perIp[source] = buckets;
            }
            if (buckets.Queries.TryTake(now) && _global.TryTake(now))
                return RateDecision.Allow;
            return buckets.Errors.TryTake(now) ? RateDecision.Reject : RateDecision.Drop;
        }
    }

    /// <summary>Forgets addresses idle long enough for their buckets to be full again.</summary>
    public void Prune() => Prune(clock.GetUtcNow(), force: false);

    private void Prune(DateTimeOffset now, bool force)
    {
        lock (_lock)
        {
            var idle = TimeSpan.FromSeconds(options.PerIpBurst / Math.Max(options.PerIpQueriesPerSecond, 0.001));
            foreach (var (address, buckets) in _perIp.ToList())
                if (now - buckets.Queries.LastUsed >= idle)
                    _perIp.Remove(address);
            if (force && _perIp.Count >= options.MaxTrackedAddresses)
                _perIp.Clear();
        }
    }
}

public sealed record RateLimitOptions
{
    public double PerIpQueriesPerSecond { get; init; } = 20;
    public double PerIpBurst { get; init; } = 50;
    /// <summary>Error replies to one IP once it is over its query limit; beyond this, queries are dropped.</summary>
    public double PerIpErrorsPerSecond { get; init; } = 1;
    public double PerIpErrorBurst { get; init; } = 5;
    public double GlobalQueriesPerSecond { get; init; } = 2_000;
    public double GlobalBurst { get; init; } = 4_000;
    public int MaxTrackedAddresses { get; init; } = 50_000;
}
