using System.Net;
using Cheshire.Mainline.Routing;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Storage;

namespace Cheshire.MainlineDht.Node;

/// <summary>
/// The "Mainline" configuration section (plus Cheshire:Salt and Cheshire:DataDir), checked at start and for every value
/// set at run time (ServiceDefaults' AddModuleSettings, Modules.SetConfig). Every key applies at the module's next
/// start: the node is built once from them.
/// </summary>
public sealed class MainlineSettings
{
    public const string Section = "Mainline";
    public const string EndpointKey = Section + ":" + nameof(Endpoint);
    public const string BootstrapKey = Section + ":" + nameof(Bootstrap);
    public const string CheshireDhtPortKey = Section + ":" + nameof(CheshireDhtPort);
    public const string QueryTimeoutKey = Section + ":" + nameof(QueryTimeout);

    /// <summary>
    /// The public BitTorrent routers. Only used with <see cref="UsePublicRouters"/> = true: no default and no
    /// test ever contacts them.
    /// </summary>
    public static readonly IReadOnlyList<string> PublicRouters =
    [
        "router.bittorrent.com:6881", "router.utorrent.com:6881", "dht.transmissionbt.com:6881", "dht.libtorrent.org:25401",
    ];

    /// <summary>UDP bind address:port. "[::]:6881" is dual-stack (BEP 32), "0.0.0.0:6881" IPv4 on all interfaces.</summary>
    public string Endpoint { get; set; } = "127.0.0.1:6881";

    /// <summary>host:port nodes to join through. Empty by default: the node only answers until told whom to ask.</summary>
    public List<string> Bootstrap { get; set; } = [];

    /// <summary>Opt-in: also join through <see cref="PublicRouters"/> (the real BitTorrent DHT).</summary>
    public bool UsePublicRouters { get; set; }

    /// <summary>The Cheshire DHT UDP port announced under SHA1("cheshire:" + salt); 0 announces nothing.</summary>
    public int CheshireDhtPort { get; set; } = 4222;

    /// <summary>How often the Cheshire announce is repeated (peers expire after 30 minutes).</summary>
    public TimeSpan AnnounceInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the routing table is written to &lt;DataDir&gt;/mainline/routing.bencode (also on shutdown).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Maintenance period (ping questionable nodes, refresh buckets, expire storage).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>BEP 43: send queries, answer none.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>The node's public IP, when known: a new node id is derived from it (BEP 42).</summary>
    public string? ExternalAddress { get; set; }

    public RoutingTableOptions Routing { get; set; } = new();
    public RateLimitOptions RateLimits { get; set; } = new();
    public PeerStoreOptions Peers { get; set; } = new();
    public ItemStoreOptions Items { get; set; } = new();

    /// <summary>The parsed bind endpoint; a bad value stops the module with a clear message.</summary>
    public IPEndPoint Validate()
    {
        if (!IPEndPoint.TryParse(Endpoint, out var endpoint) || !Endpoint.Contains(':'))
            throw new InvalidOperationException(
                $"{EndpointKey} '{Endpoint}' is not an address:port such as 127.0.0.1:6881, 0.0.0.0:6881 or [::]:6881.");
        foreach (var entry in Bootstrap)
            if (!TryParseHostPort(entry, out _, out _))
                throw new InvalidOperationException($"{BootstrapKey} entry '{entry}' is not host:port (e.g. 127.0.0.1:6881, [::1]:6881, router.example:6881).");
        if (CheshireDhtPort is < 0 or > 65535)
            throw new InvalidOperationException($"{CheshireDhtPortKey} {CheshireDhtPort} is not a port (0 = do not announce).");
        if (ExternalAddress is { Length: > 0 } && !IPAddress.TryParse(ExternalAddress, out _))
            throw new InvalidOperationException($"Mainline:ExternalAddress '{ExternalAddress}' is not an IP address.");
        if (AnnounceInterval < TimeSpan.FromSeconds(1) || SnapshotInterval < TimeSpan.FromSeconds(1))
            throw new InvalidOperationException("Mainline:AnnounceInterval and Mainline:SnapshotInterval must be at least 1 second.");
        if (QueryTimeout <= TimeSpan.Zero)
            throw new InvalidOperationException($"{QueryTimeoutKey} must be positive.");
        return endpoint;
    }

    /// <summary>Configured bootstrap entries, plus the public routers when opted in.</summary>
    public IEnumerable<string> BootstrapEntries() => UsePublicRouters ? Bootstrap.Concat(PublicRouters) : Bootstrap;

    public static bool TryParseHostPort(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        if (IPEndPoint.TryParse(text, out var ip) && ip.Port != 0)
        {
            host = ip.Address.ToString();
            port = ip.Port;
            return true;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out port) || port is < 1 or > 65535)
            return false;
        host = text[..colon];
        return Uri.CheckHostName(host) == UriHostNameType.Dns;
    }
}
