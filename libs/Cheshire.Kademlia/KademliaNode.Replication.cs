using System.Collections.Concurrent;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    // When each held key was last put here by another node or replicated by us.
    private readonly ConcurrentDictionary<NodeId, DateTimeOffset> _replicated = new();

    // Copies with less than this left are not passed on: they would expire on arrival.
    private static readonly TimeSpan MinRemainingToReplicate = TimeSpan.FromSeconds(30);

    /// <summary>A put for <paramref name="key"/> arrived from another node: that node did this interval's replication.</summary>
    private void ReplicatedBySomeoneElse(NodeId key) => _replicated[key] = _time.GetUtcNow();

    /// <summary>
    /// Kademlia's replication: for keys held here and not refreshed within ReplicateInterval, look up the k closest
    /// nodes and put the values there again, each with the lifetime it has left. Values this node publishes itself
    /// are left to <see cref="RepublishDue"/>.
    /// </summary>
    internal async Task<int> ReplicateDue(CancellationToken ct)
    {
        if (Options.ReplicateInterval == Timeout.InfiniteTimeSpan) return 0;
        var now = _time.GetUtcNow();
        var held = _store.All().GroupBy(v => v.Key).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var key in _replicated.Keys)
            if (!held.ContainsKey(key)) _replicated.TryRemove(key, out _);
        var replicated = 0;
        foreach (var (key, values) in held)
        {
            if (replicated >= Options.MaxReplicationsPerRound) break;
            var last = _replicated.GetOrAdd(key, now - Options.ReplicateInterval);
            if (now - last < Options.ReplicateInterval) continue;
            _replicated[key] = now;
            var copies = values
                .Where(v => v.Expires - now >= MinRemainingToReplicate && !_published.ContainsKey((key, v.Value.Id)))
                .Select(v => WithRemaining(v, now))
                .ToList();
            if (copies.Count == 0) continue;
            replicated++;
            try
            {
                await StoreOnClosestAsync(key, copies, ct).ConfigureAwait(false);
            }
            catch (DhtException)
            {
                // nobody reachable now: the next interval tries again
            }
        }
        return replicated;
    }

    private static Value WithRemaining(StoredValue stored, DateTimeOffset now)
    {
        var copy = stored.Value.Wire.Clone();
        copy.RemainingSeconds = (uint)Math.Clamp(Math.Floor((stored.Expires - now).TotalSeconds), 1, uint.MaxValue);
        return copy;
    }
}
