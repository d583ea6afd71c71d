using System.Collections.Concurrent;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    // When each held key was last put here by another node or replicated by us.
    private readonly ConcurrentDictionary<NodeId, DateTimeOffset> _replicated = new();

    // Contacts new to the routing table, waiting for the values they should hold (bounded: a burst of joins is sampled).
    private readonly ConcurrentQueue<Routing.Contact> _newContacts = new();
    private const int MaxNewContactsQueued = 1024;
    private const int MaxHandOversPerRound = 64;

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

    private void NewContact(Routing.Contact contact)
    {
        if (_store.Count > 0 && _newContacts.Count < MaxNewContactsQueued) _newContacts.Enqueue(contact);
    }

    /// <summary>
    /// The Kademlia join rule: a node that appears among the k closest to a key we hold gets the values from us
    /// when we are the closest other node we know of (so one node, not k, sends them), with the lifetime they have left.
    /// Returns how many keys were handed over.
    /// </summary>
    internal async Task<int> HandOverToNewContacts(CancellationToken ct)
    {
        var handed = 0;
        var now = _time.GetUtcNow();
        List<IGrouping<NodeId, StoredValue>>? held = null;
        var closest = new Routing.Contact[Options.K];
        for (var n = 0; n < MaxHandOversPerRound && _newContacts.TryDequeue(out var contact); n++)
        {
            held ??= _store.All().GroupBy(v => v.Key).ToList();
            var keys = new List<(NodeId Key, List<Value> Values)>();
            foreach (var group in held)
            {
                var key = group.Key;
                var found = RoutingTable.CopyClosest(key, closest, Id);
                var among = found < Options.K || key.CompareDistance(contact.Id, closest[found - 1].Id) <= 0;
                if (!among) continue;
                var nearestOther = 0;
                while (nearestOther < found && closest[nearestOther].Id == contact.Id) nearestOther++;
                if (nearestOther < found && key.CompareDistance(Id, closest[nearestOther].Id) > 0) continue; // someone closer sends
                var copies = group.Where(v => v.Expires - now >= MinRemainingToReplicate).Select(v => WithRemaining(v, now)).ToList();
                if (copies.Count > 0) keys.Add((key, copies));
            }
            if (keys.Count == 0) continue;
            // a put needs the newcomer's write token: any find_node answer carries it
            var hello = await RequestAsync(contact.EndPoint, contact.Id, new Envelope { FindNode = new FindNode { Target = _idBytes } }, ct).ConfigureAwait(false);
            if (hello is not { BodyCase: Envelope.BodyOneofCase.Nodes }) continue;
            foreach (var (key, values) in keys)
            {
                await PutOnAsync(contact, Google.Protobuf.ByteString.CopyFrom(key.ToArray()), hello.Nodes.Token, Batches(values), ct).ConfigureAwait(false);
                handed++;
            }
        }
        return handed;
    }

    private static Value WithRemaining(StoredValue stored, DateTimeOffset now)
    {
        var copy = stored.Value.Wire.Clone();
        copy.RemainingSeconds = (uint)Math.Clamp(Math.Floor((stored.Expires - now).TotalSeconds), 1, uint.MaxValue);
        return copy;
    }
}
