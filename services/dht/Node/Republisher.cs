using System.Collections.Concurrent;
using Cheshire.Kademlia;

namespace Cheshire.Dht.Node;

/// <summary>
/// The engine republishes a value until told to stop; this keeps a value alive until its own ttl
/// and no longer, so an expired value is not brought back by its publisher.
/// </summary>
public sealed class Republisher(KademliaNode node, TimeProvider time, IHostApplicationLifetime lifetime)
{
    private readonly ConcurrentDictionary<(NodeId Key, ulong Id), DateTimeOffset> _until = new();

    /// <summary>Republishing only helps values that outlive one republish interval.</summary>
    public bool Worthwhile(TimeSpan ttl) => ttl > node.Options.RepublishInterval;

    public void StopAfter(NodeId key, ulong valueId, TimeSpan ttl)
    {
        var until = time.GetUtcNow() + ttl;
        _until[(key, valueId)] = until;
        _ = StopLaterAsync(key, valueId, until, ttl);
    }

    private async Task StopLaterAsync(NodeId key, ulong valueId, DateTimeOffset until, TimeSpan ttl)
    {
        try
        {
            await Task.Delay(ttl, time, lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // A later put of the same value id set a new deadline: that one decides.
        if (_until.TryRemove(new KeyValuePair<(NodeId, ulong), DateTimeOffset>((key, valueId), until)))
            node.StopRepublishing(key, valueId);
    }
}
