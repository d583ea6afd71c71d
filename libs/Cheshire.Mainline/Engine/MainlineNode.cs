using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Storage;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Engine;

/// <summary>
/// A Mainline DHT node (BEP 5, 32, 42, 43, 44, 51) over any <see cref="IDatagramTransport"/>.
/// Layers: transport → message parsing → transaction correlation (client side) / query handlers (server side)
/// → routing table, peer store, item store → iterative lookups.
/// </summary>
public sealed partial class MainlineNode : IAsyncDisposable
{
    private readonly IDatagramTransport _transport;
    private readonly TokenManager _tokens;
    private readonly RateLimiter _rateLimiter;
    private readonly StatCounters _stats = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<IPAddress, int> _externalVotes = [];
    private readonly List<IPEndPoint> _bootstrapEndPoints = [];
    private Task? _receiveLoop;
    private Task? _maintenanceLoop;

    public MainlineNode(IDatagramTransport transport, MainlineOptions? options = null)
    {
        _transport = transport;
        Options = options ?? new MainlineOptions();
        var id = Options.NodeId
            ?? (Options.ExternalAddress is { } external ? SecureNodeId.Generate(external) : NodeId.Random());
        RoutingTable = new RoutingTable(id, Options.Routing, Options.Clock);
        Peers = new PeerStore(Options.Peers, Options.Clock);
        Items = new ItemStore(Options.Items, Options.Clock);
        _tokens = new TokenManager(Options.Clock, Options.TokenRotation);
        _rateLimiter = new RateLimiter(Options.RateLimits, Options.Clock);
    }

    public MainlineOptions Options { get; }

    /// <summary>The last unexpected exception raised while handling a datagram (see <see cref="MainlineStats.InternalErrors"/>).</summary>
    public Exception? LastInternalError { get; private set; }
    public NodeId Id => RoutingTable.LocalId;
    public RoutingTable RoutingTable { get; }
    public PeerStore Peers { get; }
    public ItemStore Items { get; }
    public IPEndPoint LocalEndPoint => _transport.LocalEndPoint;

    /// <summary>BEP 42: the address most responders reported for us (the <c>ip</c> key), if any.</summary>
    public IPAddress? ExternalAddress
    {
        get
        {
            lock (_externalVotes)
                return _externalVotes.Count == 0 ? null : _externalVotes.MaxBy(v => v.Value).Key;
        }
    }

    /// <summary>
    /// BEP 42: false when other nodes report an external address our id was not derived from. A host that wants
    /// verified status restarts with <see cref="MainlineOptions.ExternalAddress"/> set (and no persisted id).
    /// </summary>
    public bool IdMatchesExternalAddress => ExternalAddress is not { } address || SecureNodeId.IsVerified(Id, address);

    public MainlineStats Stats => new(
        new Dictionary<string, long>(_stats.QueriesReceived),
        new Dictionary<string, long>(_stats.QueriesSent),
        Interlocked.Read(ref _stats.ResponsesReceived),
        Interlocked.Read(ref _stats.ErrorsReceived),
        Interlocked.Read(ref _stats.ErrorsSent),
        Interlocked.Read(ref _stats.Timeouts),
        Interlocked.Read(ref _stats.MalformedReceived),
        Interlocked.Read(ref _stats.RateLimited),
        Interlocked.Read(ref _stats.InternalErrors),
        RoutingTable.Count,
        RoutingTable.BucketCount,
        Peers.InfohashCount,
        Peers.PeerCount,
        Items.Count);

    /// <summary>Starts receiving and, if configured, the maintenance loop.</summary>
    public void Start()
    {
        if (_receiveLoop is not null)
            throw new InvalidOperationException("already started");
        _receiveLoop = _transport is ISynchronousDatagramTransport synchronous
            ? StartReceiveThread(synchronous)
            : Task.Run(ReceiveLoopAsync);
        if (Options.MaintenanceInterval > TimeSpan.Zero)
            _maintenanceLoop = Task.Run(MaintenanceLoopAsync);
    }

    /// <summary>The table as a host should persist it.</summary>
    public RoutingTableSnapshot CreateSnapshot() =>
        new(Id, [.. RoutingTable.Nodes.Select(n => new NodeContact(n.Id, n.EndPoint))]);

    /// <summary>Loads persisted nodes as unconfirmed entries; maintenance pings them. Call before BootstrapAsync.</summary>
    public void Restore(RoutingTableSnapshot snapshot)
    {
        foreach (var node in snapshot.Nodes)
            RoutingTable.Heard(node.Id, node.EndPoint, responded: false, SecureNodeId.IsVerified(node.Id, node.EndPoint.Address));
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        await _transport.DisposeAsync();
        foreach (var task in new[] { _receiveLoop, _maintenanceLoop })
            if (task is not null)
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        FailAllPending();
        _stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Datagram datagram;
            try
            {
                datagram = await _transport.ReceiveAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await HandleDatagramAsync(datagram);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A handler bug must not take the node down; it is counted and kept for diagnosis.
                Interlocked.Increment(ref _stats.InternalErrors);
                LastInternalError = e;
            }
        }
    }

    internal async Task HandleDatagramAsync(Datagram datagram)
    {
        var source = Compact.Normalize(datagram.Source);
        if (source.Port == 0)
            return;
        KrpcMessage message;
        try
        {
            message = KrpcMessage.Parse(datagram.Data);
        }
        catch (BencodeException)
        {
            Interlocked.Increment(ref _stats.MalformedReceived);
            return;
        }
        catch (KrpcFormatException e)
        {
            Interlocked.Increment(ref _stats.MalformedReceived);
            if (e.TransactionId is { } t && !Options.ReadOnly)
                await SendErrorAsync(t, KrpcErrorCode.Protocol, e.Message, source);
            return;
        }
        if (message.Type == KrpcMessageType.Query)
            await HandleQueryAsync(message, source);
        else
            CompleteTransaction(message, source);
    }

    private ValueTask SendAsync(KrpcMessage message, IPEndPoint destination) =>
        _transport.SendAsync(EncodeWithVersion(message), destination, _stop.IsCancellationRequested ? default : _stop.Token);

    /// <summary>The message as sent: with our client version <c>v</c>.</summary>
    private byte[] EncodeWithVersion(KrpcMessage message) => new KrpcMessage
    {
        TransactionId = message.TransactionId, Type = message.Type, Method = message.Method, Arguments = message.Arguments,
        Response = message.Response, ErrorCode = message.ErrorCode, ErrorMessage = message.ErrorMessage,
        ExternalIp = message.ExternalIp, ReadOnly = message.ReadOnly, Version = Options.ClientVersion,
    }.Encode();

    private async ValueTask SendErrorAsync(ReadOnlyMemory<byte> transactionId, int code, string text, IPEndPoint destination)
    {
        Interlocked.Increment(ref _stats.ErrorsSent);
        try
        {
            await SendAsync(KrpcMessage.Error(transactionId, code, text, destination), destination);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void VoteExternalAddress(IPEndPoint? reported)
    {
        if (reported is null)
            return;
        lock (_externalVotes)
        {
            if (_externalVotes.Count > 64)
                _externalVotes.Clear();
            _externalVotes[reported.Address] = _externalVotes.GetValueOrDefault(reported.Address) + 1;
        }
    }

    /// <summary>Address families this node can reach, for BEP 32 <c>want</c>.</summary>
    private IReadOnlyList<AddressFamily> OwnFamilies() => _transport.AddressFamilies;

    internal bool CanReach(IPEndPoint endPoint) => OwnFamilies().Contains(endPoint.AddressFamily);

    private BList WantList() => new(OwnFamilies().Select(f => (BValue)BString.From(f == AddressFamily.InterNetwork ? "n4" : "n6")));
}
