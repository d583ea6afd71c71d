using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia;

/// <summary>How a put went: how many nodes stored the value (this node included) and what the others said.</summary>
public sealed record PutResult(int Stored, int Asked, IReadOnlyDictionary<ErrorCode, int> Errors);

public sealed partial class KademliaNode
{
    private readonly ConcurrentDictionary<(NodeId Key, ulong Id), (DhtValue Value, DateTimeOffset Next)> _published = new();

    /// <summary>
    /// Stores <paramref name="value"/> on the k nodes closest to <paramref name="key"/> (this node too if it is
    /// among them). With <paramref name="republish"/> the node puts it again every RepublishInterval until
    /// <see cref="StopRepublishing"/>. Throws <see cref="DhtException"/> if the value breaks a limit or no node stored it.
    /// </summary>
    public async Task<PutResult> PutAsync(NodeId key, DhtValue value, bool republish = true, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        var check = ValueRules.Check(key, value, Options.MaxValueSize);
        if (check != ErrorCode.ErrorNone) throw new DhtException(check, $"value refused locally: {check}");
        if (republish)
        {
            // put before the node has any contact, it only lands here: due at the first maintenance round after the join
            var now = _time.GetUtcNow();
            _published[(key, value.Id)] = (value, RoutingTable.Count == 0 ? now : now + Options.RepublishInterval);
            _persistence?.SavePublished(key, value);
        }
        return await StoreOnClosestAsync(key, [value.Wire], ct).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
    }

    /// <summary>Values this node keeps putting again (put with republish, or reloaded from persistence).</summary>
    public IReadOnlyList<Persistence.PublishedValue> PublishedValues() =>
        _published.Select(p => new Persistence.PublishedValue(p.Key.Key, p.Value.Value)).ToList();

    /// <summary>Stops republishing a value put with republish; it then expires by its ttl.</summary>
    public bool StopRepublishing(NodeId key, ulong valueId)
    {
        _persistence?.RemovePublished(key, valueId);
        return _published.TryRemove((key, valueId), out _);
    }

    /// <summary>
    /// Finds the k closest nodes to <paramref name="key"/> and stores <paramref name="values"/> on each (in as many
    /// puts as the message size needs), and here too when this node is one of them.
    /// </summary>
    private async Task<PutResult> StoreOnClosestAsync(NodeId key, IReadOnlyList<Value> values, CancellationToken ct)
    {
        var batches = Batches(values);
        // small values ride on the lookup's requests to nodes whose token we hold; the rest get a put afterwards
        var combined = batches.Count == 1 && values.Sum(v => v.CalculateSize()) <= Options.MaxDatagramSize / 2;
        var storedAt = combined ? new ConcurrentDictionary<NodeId, ErrorCode>() : null;
        var lookup = await FindClosestAsync(key, ct, combined ? values : null, storedAt).ConfigureAwait(false);
        var targets = lookup.Closest.Take(Options.K).ToList();
        var keyBytes = ByteString.CopyFrom(key.ToArray());
        var codes = await Task.WhenAll(targets.Select(async contact =>
        {
            if (storedAt is not null && storedAt.TryGetValue(contact.Id, out var already)) return (ErrorCode?)already;
            var token = lookup.Tokens.TryGetValue(contact.Id, out var t) ? t : ByteString.Empty;
            return await PutOnAsync(contact, keyBytes, token, batches, ct).ConfigureAwait(false);
        })).ConfigureAwait(false);
        var results = codes.ToList();
        if (targets.Count < Options.K || key.CompareDistance(Id, targets[^1].Id) < 0)
        {
            var local = ErrorCode.ErrorNone;
            foreach (var wire in values)
                if (_store.Store(key, new DhtValue(wire)) is var code && code != ErrorCode.ErrorNone) local = code;
            results.Add(local);
            _replicated[key] = _time.GetUtcNow(); // this put was the key's replication for the interval
        }
        var stored = results.Count(c => c == ErrorCode.ErrorNone);
        var errors = results.Where(c => c is not null and not ErrorCode.ErrorNone)
            .GroupBy(c => c!.Value).ToDictionary(g => g.Key, g => g.Count());
        foreach (var (code, count) in lookup.Errors) errors[code] = errors.GetValueOrDefault(code) + count;
        if (stored == 0)
        {
            var code = errors.Count > 0 ? errors.MaxBy(e => e.Value).Key : ErrorCode.ErrorNone;
            throw new DhtException(code, errors.Count > 0
                ? $"no node stored the value: {string.Join(", ", errors.Select(e => $"{e.Key} x{e.Value}"))}"
                : "no node answered the put");
        }
        return new PutResult(stored, results.Count, errors);
    }

    /// <summary>
    /// All values under <paramref name="key"/>, streamed as nodes answer: this node's first, then those
    /// found by an iterative get that runs to convergence. Signed values that do not verify are dropped;
    /// for each value id only newer seqs are yielded after the first.
    /// </summary>
    public async IAsyncEnumerable<DhtValue> GetAsync(NodeId key, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var found = Channel.CreateUnbounded<DhtValue>(new UnboundedChannelOptions { SingleReader = true });
        var filter = new ValueFilter(key, Options.MaxValueSize);
        foreach (var local in _store.Get(key))
            if (filter.Accept(local)) found.Writer.TryWrite(local);
        var lookup = RunGetLookup(key, found.Writer, filter, ct);
        await foreach (var value in found.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            yield return value;
        await lookup.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
    }

    private async Task RunGetLookup(NodeId key, ChannelWriter<DhtValue> found, ValueFilter filter, CancellationToken ct)
    {
        try
        {
            Interlocked.Increment(ref _counters.Lookups);
            var lookup = new Lookup(Id, key, Options.K, Options.Alpha);
            var keyBytes = ByteString.CopyFrom(key.ToArray());
            await lookup.RunAsync(RoutingTable.Closest(key, Options.K), async contact =>
            {
                var skip = 0u;
                QueryOutcome? outcome = null;
                while (true)
                {
                    var reply = await RequestAsync(contact.EndPoint, contact.Id, new Envelope { Get = new Get { Key = keyBytes, Skip = skip } }, ct).ConfigureAwait(false);
                    if (reply is { BodyCase: Envelope.BodyOneofCase.Error }) lookup.RecordError(reply.Error.Code);
                    if (reply is not { BodyCase: Envelope.BodyOneofCase.GetReply }) return outcome;
                    if (outcome is null)
                    {
                        RememberToken(contact, reply.GetReply.Token);
                        outcome = new QueryOutcome(_wireContacts.FromWire(reply.GetReply.Nodes, Id, Options.K * 2), reply.GetReply.Token);
                    }
                    foreach (var wire in reply.GetReply.Values)
                    {
                        var value = new DhtValue(wire);
                        if (filter.Accept(value)) found.TryWrite(value);
                    }
                    skip += (uint)reply.GetReply.Values.Count;
                    if (reply.GetReply.Values.Count == 0 || skip >= reply.GetReply.Total || skip >= Options.MaxValuesPerKey) return outcome;
                }
            }, ct).ConfigureAwait(false);
            found.TryComplete();
        }
        catch (Exception e)
        {
            found.TryComplete(e);
        }
    }

    /// <summary>
    /// Puts the batches on one node: none if it stored some value of any batch, its refusal otherwise, null if it
    /// never answered.
    /// </summary>
    private async Task<ErrorCode?> PutOnAsync(Contact contact, ByteString key, ByteString token, List<List<Value>> batches, CancellationToken ct)
    {
        ErrorCode? code = null;
        foreach (var batch in batches)
        {
            var put = new Put { Key = key, Token = token, Values = { batch } };
            var reply = await RequestAsync(contact.EndPoint, contact.Id, new Envelope { Put = put }, ct).ConfigureAwait(false);
            ErrorCode? answer = reply switch
            {
                null => null,
                { BodyCase: Envelope.BodyOneofCase.PutReply } => ErrorCode.ErrorNone,
                { BodyCase: Envelope.BodyOneofCase.Error } => reply.Error.Code,
                _ => ErrorCode.ErrorMalformed,
            };
            if (code is not ErrorCode.ErrorNone) code = answer ?? code;
        }
        return code;
    }

    /// <summary>Values in groups whose put fits one message.</summary>
    private List<List<Value>> Batches(IReadOnlyList<Value> values)
    {
        if (values.Count == 1) return [[values[0]]];
        var budget = Options.MaxMessageSize - ReplyOverhead;
        var batches = new List<List<Value>>();
        var current = new List<Value>();
        var size = 0;
        foreach (var value in values)
        {
            var next = value.CalculateSize() + 4;
            if (current.Count > 0 && size + next > budget)
            {
                batches.Add(current);
                current = [];
                size = 0;
            }
            current.Add(value);
            size += next;
        }
        if (current.Count > 0) batches.Add(current);
        return batches;
    }

    private async Task RepublishDue(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        foreach (var (slot, entry) in _published)
        {
            if (entry.Next > now) continue;
            var scheduled = (entry.Value, Next: now + Options.RepublishInterval);
            // TryUpdate, not an assignment: a value whose republishing was stopped meanwhile stays stopped
            if (!_published.TryUpdate(slot, scheduled, entry)) continue;
            try
            {
                await StoreOnClosestAsync(slot.Key, [entry.Value.Wire], ct).ConfigureAwait(false);
            }
            catch (DhtException)
            {
                // nobody reachable now: the next maintenance round tries again
                _published.TryUpdate(slot, (entry.Value, now + Options.MaintenanceInterval), scheduled);
            }
        }
    }
}

/// <summary>Drops values that break the rules and repeats of a value id at the same or an older seq.</summary>
internal sealed class ValueFilter(NodeId key, int maxValueSize)
{
    private readonly Dictionary<ulong, (ulong Seq, DhtValue Value)> _seen = [];
    private readonly Lock _lock = new();

    public bool Accept(DhtValue value)
    {
        if (ValueRules.Check(key, value, maxValueSize) != ErrorCode.ErrorNone) return false;
        lock (_lock)
        {
            if (_seen.TryGetValue(value.Id, out var best))
            {
                if (value.Seq < best.Seq || value.Equals(best.Value)) return false;
                if (value.Seq == best.Seq && best.Value.IsSigned) return false;
                if (best.Value.IsSigned && !best.Value.Wire.Owner.Equals(value.Wire.Owner)) return false;
            }
            _seen[value.Id] = (value.Seq, value);
            return true;
        }
    }
}
