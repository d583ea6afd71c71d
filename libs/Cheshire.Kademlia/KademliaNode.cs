using System.Collections.Concurrent;
using System.Net;
using Cheshire.Identity;
using Cheshire.Kademlia.Persistence;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Transport;
using Cheshire.Kademlia.Values;
using Google.Protobuf;

namespace Cheshire.Kademlia;

/// <summary>
/// A Cheshire DHT node: Kademlia routing over an <see cref="IDatagramTransport"/>, a multi-value
/// store with signed and encrypted values, listen/notify, optional persistence.
/// </summary>
public sealed partial class KademliaNode : IAsyncDisposable
{
    private readonly IDatagramTransport _transport;
    private readonly IKademliaPersistence? _persistence;
    private readonly TimeProvider _time;
    private readonly ValueStore _store;
    private readonly RateLimiter _rateLimiter;
    private readonly TokenIssuer _tokens;
    private readonly NodeCounters _counters = new();
    private readonly ConcurrentDictionary<ulong, PendingRequest> _pending = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ByteString _idBytes;
    private readonly WireContacts _wireContacts = new();
    private readonly FragmentAssembler _fragments;
    private readonly long _requestTimeoutTicks;
    private readonly ITimer _timeouts;
    private readonly TimeSpan _sweepPeriod;
    private int _sweeping;
    private Task? _maintenance;
    private int _started;

    public KademliaNode(NodeIdentity identity, IDatagramTransport transport, KademliaOptions? options = null,
        IKademliaPersistence? persistence = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(transport);
        Options = options ?? new KademliaOptions();
        Options.Validate();
        _transport = transport;
        _persistence = persistence;
        _time = time ?? TimeProvider.System;
        Id = new NodeId(identity.NodeId);
        _idBytes = ByteString.CopyFrom(identity.NodeId);
        RoutingTable = new RoutingTable(Id, Options.K, _time, Options.MaxContactFailures);
        _store = new ValueStore(Options, _time);
        _rateLimiter = new RateLimiter(Options.RateLimitPerSecond, Options.RateLimitBurst, _time);
        _tokens = new TokenIssuer(_time, TimeSpan.FromMinutes(5));
        _fragments = new FragmentAssembler(Options, _time);
        _store.Changed += OnValueChanged;
        _requestTimeoutTicks = (long)(Options.RequestTimeout.TotalSeconds * _time.TimestampFrequency);
        _sweepPeriod = TimeSpan.FromTicks(Math.Clamp(Options.RequestTimeout.Ticks / 8, TimeSpan.TicksPerMillisecond * 5, TimeSpan.TicksPerMillisecond * 100));
        _timeouts = _time.CreateTimer(static node => ((KademliaNode)node!).ExpirePendingRequests(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (_persistence is not null)
        {
            _store.Saved += v => _persistence.SaveValue(v);
            _store.Expired += (key, id) => _persistence.RemoveValue(key, id);
        }
    }

    public NodeId Id { get; }
    public KademliaOptions Options { get; }
    public RoutingTable RoutingTable { get; }
    public IPEndPoint EndPoint => _transport.LocalEndPoint;
    public Contact Contact => new(Id, EndPoint);

    public NodeStats Stats => new(
        Interlocked.Read(ref _counters.DatagramsIn), Interlocked.Read(ref _counters.DatagramsOut),
        Interlocked.Read(ref _counters.BytesIn), Interlocked.Read(ref _counters.BytesOut),
        Interlocked.Read(ref _counters.Malformed), Interlocked.Read(ref _counters.RateLimited),
        Interlocked.Read(ref _counters.Requests), Interlocked.Read(ref _counters.Timeouts),
        Interlocked.Read(ref _counters.Retries), Interlocked.Read(ref _counters.Lookups),
        Interlocked.Read(ref _counters.Notifications),
        RoutingTable.Count, RoutingTable.BucketCount, _store.Count, _store.KeyCount, _store.Bytes, ListenerCount, _localListens.Count)
    {
        MessagesReassembled = Interlocked.Read(ref _counters.Reassembled),
        MessagesOversized = Interlocked.Read(ref _counters.Oversized),
        FragmentBytesHeld = _fragments.BytesHeld,
    };

    public IReadOnlyList<BucketSnapshot> RoutingTableSnapshot() => RoutingTable.Snapshot();

    /// <summary>Values this node holds for others (and itself).</summary>
    public IReadOnlyList<StoredValue> StoredValues() => _store.All();

    /// <summary>
    /// Starts receiving and maintenance. With persistence, reloads stored values and pings saved
    /// contacts; returns how many answered (if any did, the node has rejoined and looked itself up).
    /// </summary>
    public async Task<int> StartAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("The node is already started.");
        _transport.Start(OnDatagram);
        var answered = 0;
        if (_persistence is not null)
        {
            foreach (var saved in _persistence.LoadValues())
                _store.Store(saved.Key, saved.Value, saved.Expires);
            // published values are due at once: the first maintenance round after the rejoin puts them again
            foreach (var published in _persistence.LoadPublished())
                _published[(published.Key, published.Value.Id)] = (published.Value, _time.GetUtcNow());
            var contacts = _persistence.LoadContacts();
            var pings = await Task.WhenAll(contacts.Select(c => PingAsync(c.EndPoint, ct))).ConfigureAwait(false);
            answered = pings.Count(p => p is not null);
            if (answered > 0) await FindNodeAsync(Id, ct).ConfigureAwait(false);
        }
        _maintenance = Task.Run(MaintenanceLoop, CancellationToken.None);
        return answered;
    }

    /// <summary>
    /// Joins the network through known endpoints: pings them, looks ourselves up, then refreshes
    /// the buckets farther than our closest neighbour. Returns the routing table size.
    /// </summary>
    public async Task<int> BootstrapAsync(IEnumerable<IPEndPoint> endPoints, CancellationToken ct = default)
    {
        var pings = await Task.WhenAll(endPoints.Where(e => !e.Equals(EndPoint)).Select(e => PingAsync(e, ct))).ConfigureAwait(false);
        if (pings.All(p => p is null) && RoutingTable.Count == 0) return 0;
        var self = await FindNodeAsync(Id, ct).ConfigureAwait(false);
        if (Options.RefreshBucketsOnJoin && self.Closest.Count > 0)
        {
            var nearest = Id.CommonPrefixLength(self.Closest[0].Id);
            var refreshes = Enumerable.Range(0, Math.Min(nearest, RoutingTable.BucketCount))
                .Select(prefix => FindNodeAsync(Id.RandomWithCommonPrefix(prefix), ct));
            await Task.WhenAll(refreshes).ConfigureAwait(false);
        }
        return RoutingTable.Count;
    }

    /// <summary>Pings an endpoint; returns the contact that answered, or null.</summary>
    public async Task<Contact?> PingAsync(IPEndPoint endPoint, CancellationToken ct = default)
    {
        var reply = await RequestAsync(endPoint, null, new Wire.Envelope { Ping = new Wire.Ping() }, ct).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        return reply is { BodyCase: Wire.Envelope.BodyOneofCase.Pong } ? new Contact(new NodeId(reply.SenderId.Span), endPoint) : null;
    }

    /// <summary>Iterative find_node: the k closest live nodes to <paramref name="target"/>.</summary>
    public async Task<LookupResult> FindNodeAsync(NodeId target, CancellationToken ct = default) =>
        await FindClosestAsync(target, ct).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);

    /// <summary>
    /// Iterative find_node. With <paramref name="store"/>, nodes whose write token this node still holds are asked to
    /// store those values in the same request; what each answered goes into <paramref name="storedAt"/>.
    /// </summary>
    private Task<LookupResult> FindClosestAsync(NodeId target, CancellationToken ct,
        IReadOnlyList<Wire.Value>? store = null, ConcurrentDictionary<NodeId, Wire.ErrorCode>? storedAt = null)
    {
        Interlocked.Increment(ref _counters.Lookups);
        var lookup = new Lookup(Id, target, Options.K, Options.Alpha);
        var targetBytes = ByteString.CopyFrom(target.ToArray());
        var request = new Wire.FindNode { Target = targetBytes };
        return lookup.RunAsync(RoutingTable.Closest(target, Options.K), async contact =>
        {
            var findNode = request;
            if (store is not null && RecentToken(contact) is { } token)
                findNode = new Wire.FindNode { Target = targetBytes, Token = token, Store = { store } };
            var reply = await RequestAsync(contact.EndPoint, contact.Id, new Wire.Envelope { FindNode = findNode }, ct).ConfigureAwait(false);
            if (reply is { BodyCase: Wire.Envelope.BodyOneofCase.Error }) lookup.RecordError(reply.Error.Code);
            if (reply is not { BodyCase: Wire.Envelope.BodyOneofCase.Nodes }) return null;
            RememberToken(contact, reply.Nodes.Token);
            if (storedAt is not null && findNode != request && reply.Nodes.Stored is { } result && result.Error != Wire.ErrorCode.ErrorBadToken)
                storedAt[contact.Id] = result.Stored > 0 ? Wire.ErrorCode.ErrorNone : result.Error;
            return new QueryOutcome(_wireContacts.FromWire(reply.Nodes.Nodes, Id, Options.K * 2), reply.Nodes.Token);
        }, ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _timeouts.DisposeAsync().ConfigureAwait(false);
        if (_maintenance is not null)
        {
            try
            {
                await _maintenance.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
        SaveContacts();
        await _transport.DisposeAsync().ConfigureAwait(false);
        foreach (var pending in _pending.Values) pending.Complete(null);
        foreach (var listen in _localListens.Values) listen.Complete();
        _persistence?.Dispose();
        _stopping.Dispose();
    }

    private void SaveContacts()
    {
        if (_persistence is null) return;
        var good = RoutingTable.Snapshot().SelectMany(b => b.Contacts).Where(c => c.Failures == 0).Select(c => c.Contact).ToList();
        if (good.Count > 0) _persistence.SaveContacts(good);
    }
}
