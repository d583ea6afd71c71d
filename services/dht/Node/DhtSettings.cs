using Cheshire.Identity;
using Cheshire.Kademlia;

namespace Cheshire.Dht.Node;

/// <summary>
/// The dht module's configuration: section "Dht" (Address, Port, Bootstrap, Kademlia) plus the
/// instance keys the AppHost sets when it starts several dht instances (Cheshire:Instance, Cheshire:InstanceDataDir).
/// </summary>
public sealed record DhtSettings
{
    public const int DefaultPort = 4222;

    /// <summary>UDP address to bind; "::" is dual-stack (falls back to 0.0.0.0 without IPv6).</summary>
    public string Address { get; init; } = "::";

    /// <summary>UDP port; instance i of several binds Port + i. 0 picks a free port.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>host:port endpoints to join through. Instances after the first also join through instance 0.</summary>
    public IReadOnlyList<string> Bootstrap { get; init; } = [];

    /// <summary>Engine tuning (e.g. Dht:Kademlia:RateLimitPerSecond=0 for benchmarks).</summary>
    public KademliaOptions Kademlia { get; init; } = new();

    /// <summary>Index of this instance among the node's dht instances (0 when there is one).</summary>
    public int Instance { get; init; }

    /// <summary>Folder holding the routing identity (per instance only) and dht.sqlite.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>True when this instance has its own routing key in <see cref="DataDirectory"/>; otherwise the node's key is used.</summary>
    public bool OwnRoutingIdentity { get; init; }

    public int BoundPort => Port == 0 ? 0 : Port + Instance;

    /// <summary>Bootstrap endpoints including instance 0 (over loopback) for later instances.</summary>
    public IReadOnlyList<string> BootstrapEndpoints()
    {
        if (Instance == 0 || Port == 0) return Bootstrap;
        var address = System.Net.IPAddress.Parse(Address);
        var first = address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any)
            ? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Port)
            : new System.Net.IPEndPoint(address, Port);
        return [.. Bootstrap, first.ToString()];
    }

    public static DhtSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(DhtOptions.Section).Get<DhtOptions>() ?? new DhtOptions();
        var instance = configuration.GetValue("Cheshire:Instance", 0);
        options.Validate(instance);
        var instanceDir = configuration["Cheshire:InstanceDataDir"];
        var nodeDir = Cheshire.Identity.DataDirectory.Resolve(configuration["Cheshire:DataDir"]);
        return new DhtSettings
        {
            Address = options.Address,
            Port = options.Port,
            Bootstrap = options.Bootstrap,
            Kademlia = options.Kademlia,
            Instance = instance,
            DataDirectory = string.IsNullOrWhiteSpace(instanceDir) ? Path.Combine(nodeDir, "dht") : instanceDir,
            OwnRoutingIdentity = !string.IsNullOrWhiteSpace(instanceDir),
        };
    }
}
