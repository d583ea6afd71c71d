using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Transport;

namespace Cheshire.MainlineDht.Node;

/// <summary>
/// Owns the <see cref="MainlineNode"/>: binds its UDP socket, restores the routing table from
/// &lt;DataDir&gt;/mainline/routing.bencode, joins through the configured bootstrap nodes, announces the Cheshire
/// infohash every <see cref="MainlineSettings.AnnounceInterval"/>, and saves the table every
/// <see cref="MainlineSettings.SnapshotInterval"/> and on shutdown.
/// </summary>
public sealed class MainlineHost : IHostedService, IAsyncDisposable
{
    private readonly MainlineSettings _settings;
    private readonly ILogger<MainlineHost> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _snapshotLock = new(1, 1);
    private Task? _background;

    public MainlineHost(MainlineSettings settings, string dataDirectory, string salt, ILogger<MainlineHost> logger)
    {
        _settings = settings;
        _logger = logger;
        Salt = salt;
        SnapshotPath = Path.Combine(dataDirectory, "mainline", "routing.bencode");
        var bind = settings.Validate();
        var snapshot = LoadSnapshot();
        IDatagramTransport transport;
        try
        {
            transport = new UdpTransport(bind);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"Mainline:Endpoint {bind}: cannot bind the UDP socket ({e.SocketErrorCode}: {e.Message}).", e);
        }
        Node = new MainlineNode(transport, new MainlineOptions
        {
            NodeId = snapshot?.LocalId,
            ExternalAddress = settings.ExternalAddress is { Length: > 0 } external ? IPAddress.Parse(external) : null,
            ReadOnly = settings.ReadOnly,
            QueryTimeout = settings.QueryTimeout,
            MaintenanceInterval = settings.MaintenanceInterval,
            Routing = settings.Routing,
            RateLimits = settings.RateLimits,
            Peers = settings.Peers,
            Items = settings.Items,
        });
        if (snapshot is not null)
        {
            Node.Restore(snapshot);
            RestoredNodes = snapshot.Nodes.Count;
        }
    }

    public MainlineNode Node { get; }
    public string Salt { get; }
    public string SnapshotPath { get; }
    public int RestoredNodes { get; }

    /// <summary>Result of the last Cheshire announce (null before the first one ends).</summary>
    public AnnounceResult? LastCheshireAnnounce { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Node.Start();
        _logger.LogInformation("Mainline DHT node {Id} on UDP {EndPoint}; {Restored} nodes restored from {Path}; bootstrap: {Bootstrap}",
            Node.Id, Node.LocalEndPoint, RestoredNodes, SnapshotPath,
            _settings.BootstrapEntries().Any() ? string.Join(", ", _settings.BootstrapEntries()) : "none configured");
        _background = Task.Run(() => RunAsync(_stop.Token));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_background is not null)
            await _background.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await SaveSnapshotAsync(CancellationToken.None);
        await Node.DisposeAsync();
    }

    /// <summary>Writes the routing table atomically (temp file + rename). Returns the number of nodes saved.</summary>
    public async Task<int> SaveSnapshotAsync(CancellationToken cancellationToken)
    {
        await _snapshotLock.WaitAsync(cancellationToken);
        try
        {
            var snapshot = Node.CreateSnapshot();
            Directory.CreateDirectory(Path.GetDirectoryName(SnapshotPath)!);
            var temp = SnapshotPath + ".tmp";
            await File.WriteAllBytesAsync(temp, snapshot.Encode(), cancellationToken);
            File.Move(temp, SnapshotPath, overwrite: true);
            return snapshot.Nodes.Count;
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "could not save the routing table to {Path}", SnapshotPath);
            return -1;
        }
        finally
        {
            _snapshotLock.Release();
        }
    }

    /// <summary>Joins through the configured bootstrap nodes (names resolved now), or refreshes a restored table.</summary>
    public async Task<int> BootstrapAsync(CancellationToken cancellationToken)
    {
        var endPoints = new List<IPEndPoint>();
        foreach (var entry in _settings.BootstrapEntries())
        {
            MainlineSettings.TryParseHostPort(entry, out var host, out var port);
            try
            {
                var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
                endPoints.AddRange(addresses.Select(a => new IPEndPoint(a, port)));
            }
            catch (SocketException e)
            {
                _logger.LogWarning("bootstrap node {Entry} does not resolve: {Message}", entry, e.Message);
            }
        }
        if (endPoints.Count > 0)
            return await Node.BootstrapAsync(endPoints, cancellationToken);
        if (Node.RoutingTable.Count > 0)
            await Node.FindNodeAsync(Node.Id, cancellationToken);
        return Node.RoutingTable.Count;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        try
        {
            var size = await BootstrapAsync(stop);
            _logger.LogInformation("Mainline DHT bootstrap done: {Count} nodes in the routing table", size);
            var nextAnnounce = DateTime.UtcNow;
            var nextSnapshot = DateTime.UtcNow + _settings.SnapshotInterval;
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            do
            {
                if (DateTime.UtcNow >= nextAnnounce && _settings.CheshireDhtPort > 0 && !_settings.ReadOnly)
                {
                    nextAnnounce = DateTime.UtcNow + _settings.AnnounceInterval;
                    if (Node.RoutingTable.Count > 0)
                    {
                        LastCheshireAnnounce = await Node.AnnounceCheshireAsync(Salt, _settings.CheshireDhtPort, stop);
                        _logger.LogInformation("announced Cheshire port {Port} under {Infohash} to {Count} nodes",
                            _settings.CheshireDhtPort, CheshireDiscovery.Infohash(Salt), LastCheshireAnnounce.NodesAnnounced);
                    }
                    else
                    {
                        nextAnnounce = DateTime.UtcNow + TimeSpan.FromSeconds(10); // retry soon once someone knows us
                    }
                }
                if (DateTime.UtcNow >= nextSnapshot)
                {
                    nextSnapshot = DateTime.UtcNow + _settings.SnapshotInterval;
                    await SaveSnapshotAsync(stop);
                }
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "the Mainline DHT background loop failed");
            throw;
        }
    }

    private RoutingTableSnapshot? LoadSnapshot()
    {
        if (!File.Exists(SnapshotPath))
            return null;
        try
        {
            return RoutingTableSnapshot.Decode(File.ReadAllBytes(SnapshotPath));
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            // A damaged file must not stop the node: start with an empty table and keep the bad file for diagnosis.
            _logger.LogWarning("ignoring the damaged routing table {Path}: {Message}", SnapshotPath, e.Message);
            File.Move(SnapshotPath, SnapshotPath + ".damaged", overwrite: true);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        _stop.Dispose();
        _snapshotLock.Dispose();
    }
}
