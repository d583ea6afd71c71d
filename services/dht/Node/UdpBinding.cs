using System.Net;
using System.Net.Sockets;
using Cheshire.Kademlia.Transport;

namespace Cheshire.Dht.Node;

/// <summary>Binds the node's UDP socket; "::" falls back to 0.0.0.0 on hosts without IPv6.</summary>
public static class UdpBinding
{
    public static UdpTransport Bind(DhtSettings settings)
    {
        var address = IPAddress.Parse(settings.Address);
        try
        {
            return new UdpTransport(address, settings.BoundPort);
        }
        catch (SocketException) when (address.Equals(IPAddress.IPv6Any) && !Socket.OSSupportsIPv6)
        {
            return new UdpTransport(IPAddress.Any, settings.BoundPort);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"The dht cannot bind UDP {address}:{settings.BoundPort}: {e.Message}. Set Dht:Port or Dht:Address.", e);
        }
    }

    /// <summary>Whether the bound socket also reaches IPv4 endpoints (a dual-stack IPv6 socket).</summary>
    public static bool IsDualStack(IPEndPoint bound) => bound.Address.Equals(IPAddress.IPv6Any);
}
