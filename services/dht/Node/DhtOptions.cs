using System.Net;
using Cheshire.Kademlia;

namespace Cheshire.Dht.Node;

/// <summary>
/// The "Dht" configuration section as written (bound by ServiceDefaults' AddModuleSettings), checked at start and for
/// every value set at run time (Modules.SetConfig). Every key applies at the module's next start: the node's UDP socket
/// and engine are built once from them (<see cref="DhtSettings"/>).
/// </summary>
public sealed class DhtOptions
{
    public const string Section = "Dht";
    public const string AddressKey = Section + ":" + nameof(Address);
    public const string PortKey = Section + ":" + nameof(Port);
    public const string BootstrapKey = Section + ":" + nameof(Bootstrap);
    public const string KademliaKey = Section + ":" + nameof(Kademlia);

    /// <summary>UDP address to bind; "::" is dual-stack (falls back to 0.0.0.0 without IPv6).</summary>
    public string Address { get; set; } = "::";

    /// <summary>UDP port; instance i of several binds Port + i. 0 picks a free port.</summary>
    public int Port { get; set; } = DhtSettings.DefaultPort;

    /// <summary>host:port endpoints to join through.</summary>
    public List<string> Bootstrap { get; set; } = [];

    /// <summary>Engine tuning (e.g. Dht:Kademlia:RateLimitPerSecond=0 for benchmarks).</summary>
    public KademliaOptions Kademlia { get; set; } = new();

    /// <summary>Throws naming the key of the first bad value; <paramref name="instance"/> moves the port (Port + instance).</summary>
    public void Validate(int instance = 0)
    {
        if (Port is < 0 or > 65535 || Port != 0 && Port + instance > 65535)
            throw new InvalidOperationException($"{PortKey} {Port} (instance {instance}) is not a UDP port.");
        if (!IPAddress.TryParse(Address, out _))
            throw new InvalidOperationException($"{AddressKey} '{Address}' is not an IP address.");
        foreach (var entry in Bootstrap)
            if (!EndpointParser.TryParse(entry, out _, out _, out var error))
                throw new InvalidOperationException($"{BootstrapKey}: {error} (e.g. 127.0.0.1:4222, [::1]:4222, dht-peers:4222).");
        try
        {
            Kademlia.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidOperationException($"{KademliaKey}:{e.ParamName} = {e.ActualValue}: {e.Message.Split(" (Parameter")[0]}", e);
        }
    }
}
