using System.Net;

namespace Cheshire.Kademlia.Protocol;

/// <summary>A token bucket per source IP: <c>rate</c> requests per second, bursts up to <c>burst</c>.</summary>
internal sealed class RateLimiter(double rate, double burst, TimeProvider time)
{
    private const int MaxTracked = 65_536;
    private readonly Dictionary<IPAddress, Bucket> _buckets = [];
    private readonly Lock _lock = new();

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens = tokens;
        public long Stamp = stamp;
    }

    public bool Enabled => rate > 0;

    public bool TryAcquire(IPAddress address)
    {
        if (!Enabled) return true;
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (!_buckets.TryGetValue(address, out var bucket))
            {
                if (_buckets.Count >= MaxTracked) Prune(now);
                bucket = new Bucket(burst, now);
                _buckets[address] = bucket;
            }
            var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(burst, bucket.Tokens + elapsed * rate);
            bucket.Stamp = now;
            if (bucket.Tokens < 1) return false;
            bucket.Tokens -= 1;
            return true;
        }
    }

    private void Prune(long now)
    {
        // Buckets that have refilled carry no state worth keeping.
        foreach (var (address, bucket) in _buckets)
            if (bucket.Tokens + time.GetElapsedTime(bucket.Stamp, now).TotalSeconds * rate >= burst)
                _buckets.Remove(address);
        if (_buckets.Count >= MaxTracked) _buckets.Clear();
    }
}
