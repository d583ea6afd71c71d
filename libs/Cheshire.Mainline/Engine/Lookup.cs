using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Engine;

/// <summary>
/// An iterative Kademlia lookup: query the closest known nodes, <c>alpha</c> at a time, learn closer ones from
/// <c>nodes</c>/<c>nodes6</c>, and stop when the k closest live candidates have all answered.
/// </summary>
internal sealed class Lookup(MainlineNode node, NodeId target, string method, Func<BDictionary> arguments, Action<QueryResponse>? onResponse)
{
    private enum State
    {
        Waiting,
        InFlight,
        Responded,
        Failed,
    }

    private sealed class Candidate(NodeContact contact)
    {
        public NodeContact Contact { get; } = contact;
        public State State { get; set; }
        public BDictionary? Body { get; set; }
    }

    private readonly List<Candidate> _candidates = [];
    private readonly HashSet<NodeId> _seenIds = [];
    private readonly HashSet<IPEndPoint> _seenEndPoints = [];

    private int K => node.Options.Routing.BucketSize;

    /// <summary>Runs the lookup; returns the k closest nodes that answered, closest first, with their responses.</summary>
    public async Task<List<QueryResponse>> RunAsync(IEnumerable<NodeContact> seeds, CancellationToken cancellationToken)
    {
        foreach (var seed in seeds)
            Offer(seed);
        var inFlight = new Dictionary<Task<QueryResponse>, Candidate>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var live = _candidates.Where(c => c.State != State.Failed).Take(K).ToList();
            foreach (var candidate in live.Where(c => c.State == State.Waiting))
            {
                if (inFlight.Count >= node.Options.Alpha)
                    break;
                candidate.State = State.InFlight;
                inFlight[node.QueryAsync(candidate.Contact.EndPoint, method, arguments(), candidate.Contact.Id, cancellationToken)] = candidate;
            }
            if (inFlight.Count == 0)
                break; // the k closest live candidates have all answered (or none are left)
            var done = await Task.WhenAny(inFlight.Keys);
            var finished = inFlight[done];
            inFlight.Remove(done);
            try
            {
                var response = await done;
                finished.State = State.Responded;
                finished.Body = response.Body;
                onResponse?.Invoke(response);
                foreach (var contact in NodesIn(response.Body))
                    Offer(contact);
            }
            catch (Exception e) when (e is TimeoutException or KrpcException)
            {
                finished.State = State.Failed;
            }
        }
        return [.. _candidates.Where(c => c.State == State.Responded).Take(K).Select(c => new QueryResponse(c.Contact, c.Body!))];
    }

    private void Offer(NodeContact contact)
    {
        if (contact.Id == node.Id || !Compact.IsRoutable(contact.EndPoint) || !node.CanReach(contact.EndPoint) || !_seenIds.Add(contact.Id) || !_seenEndPoints.Add(contact.EndPoint))
            return;
        var index = _candidates.FindIndex(c => target.CompareDistance(contact.Id, c.Contact.Id) < 0);
        _candidates.Insert(index < 0 ? _candidates.Count : index, new Candidate(contact));
        var limit = K * 8;
        if (_candidates.Count > limit && _candidates[^1].State == State.Waiting)
            _candidates.RemoveAt(_candidates.Count - 1);
    }

    private static IEnumerable<NodeContact> NodesIn(BDictionary body)
    {
        var result = new List<NodeContact>();
        if (body.Get<BString>("nodes") is { } v4)
            result.AddRange(Compact.DecodeNodes(v4.Span, AddressFamily.InterNetwork));
        if (body.Get<BString>("nodes6") is { } v6)
            result.AddRange(Compact.DecodeNodes(v6.Span, AddressFamily.InterNetworkV6));
        return result;
    }
}
