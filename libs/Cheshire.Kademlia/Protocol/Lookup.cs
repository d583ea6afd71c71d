using Cheshire.Kademlia.Routing;
using Google.Protobuf;

namespace Cheshire.Kademlia.Protocol;

/// <summary>What one queried node answered: closer nodes and, for write tokens, its token.</summary>
internal sealed record QueryOutcome(List<Contact> Nodes, ByteString Token);

/// <summary>The result of an iterative lookup.</summary>
public sealed record LookupResult(NodeId Target, IReadOnlyList<Contact> Closest, int Hops, int Queried, int Responded, bool Converged)
{
    internal IReadOnlyDictionary<NodeId, ByteString> Tokens { get; init; } = new Dictionary<NodeId, ByteString>();

    /// <summary>Typed errors nodes answered with during the lookup (e.g. rate limited), by code.</summary>
    public IReadOnlyDictionary<Wire.ErrorCode, int> Errors { get; init; } = new Dictionary<Wire.ErrorCode, int>();
}

/// <summary>
/// Iterative parallel lookup. Keeps candidates sorted by distance, keeps up to α queries in flight
/// among the k closest not-failed candidates, and stops when all of those k have answered
/// (convergence: no closer node left to ask) or there is nobody left to ask.
/// </summary>
internal sealed class Lookup(NodeId self, NodeId target, int k, int alpha)
{
    private enum State { Pending, InFlight, Answered, Failed }

    private sealed class Candidate(Contact contact, int depth)
    {
        public readonly Contact Contact = contact;
        public readonly int Depth = depth;
        public State State;
        public ByteString Token = ByteString.Empty;
    }

    private readonly List<Candidate> _candidates = [];
    private readonly HashSet<NodeId> _known = [];
    private readonly int _maxCandidates = k * 8;
    private readonly Dictionary<Wire.ErrorCode, int> _errors = [];

    /// <summary>Records a typed error a queried node answered with (called from query functions).</summary>
    public void RecordError(Wire.ErrorCode code)
    {
        lock (_errors) _errors[code] = _errors.GetValueOrDefault(code) + 1;
    }

    public async Task<LookupResult> RunAsync(IEnumerable<Contact> seeds, Func<Contact, Task<QueryOutcome?>> query, CancellationToken ct)
    {
        foreach (var seed in seeds) Add(seed, 0);
        var inFlight = new List<Task<(Candidate, QueryOutcome?)>>(alpha);
        int queried = 0, responded = 0;
        while (true)
        {
            while (inFlight.Count < alpha && NextToQuery() is { } next)
            {
                next.State = State.InFlight;
                queried++;
                inFlight.Add(Ask(next, query));
            }
            if (inFlight.Count == 0) break;
            var done = await Task.WhenAny(inFlight).ConfigureAwait(false);
            inFlight.Remove(done);
            var (candidate, outcome) = await done.ConfigureAwait(false);
            if (outcome is null)
            {
                candidate.State = State.Failed;
                continue;
            }
            responded++;
            candidate.State = State.Answered;
            candidate.Token = outcome.Token;
            foreach (var contact in outcome.Nodes) Add(contact, candidate.Depth + 1);
            ct.ThrowIfCancellationRequested();
        }
        var closest = _candidates.Where(c => c.State == State.Answered).Take(k).ToList();
        var tokens = closest.ToDictionary(c => c.Contact.Id, c => c.Token);
        return new LookupResult(target, closest.Select(c => c.Contact).ToList(), closest.Count == 0 ? 0 : closest[0].Depth + 1, queried, responded, responded > 0)
        {
            Tokens = tokens,
            Errors = new Dictionary<Wire.ErrorCode, int>(_errors),
        };
    }

    private static async Task<(Candidate, QueryOutcome?)> Ask(Candidate candidate, Func<Contact, Task<QueryOutcome?>> query)
    {
        try
        {
            return (candidate, await query(candidate.Contact).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (candidate, null);
        }
    }

    /// <summary>The nearest pending candidate among the k nearest not-failed ones.</summary>
    private Candidate? NextToQuery()
    {
        var seen = 0;
        foreach (var candidate in _candidates)
        {
            if (candidate.State == State.Failed) continue;
            if (seen++ >= k) return null;
            if (candidate.State == State.Pending) return candidate;
        }
        return null;
    }

    private void Add(Contact contact, int depth)
    {
        if (contact.Id == self || !_known.Add(contact.Id)) return;
        var candidate = new Candidate(contact, depth);
        var lo = 0;
        var hi = _candidates.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (target.CompareDistance(_candidates[mid].Contact.Id, contact.Id) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (lo >= _maxCandidates) return;
        _candidates.Insert(lo, candidate);
        if (_candidates.Count > _maxCandidates)
        {
            var last = _candidates[^1];
            if (last.State == State.Pending) _candidates.RemoveAt(_candidates.Count - 1);
        }
    }
}
