using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Cheshire.StyxProvider.Publishing;

/// <summary>This machine's addresses others may reach: of interfaces that are up, not loopback, not IPv6 link-local.</summary>
public static class LocalAddresses
{
    public static IEnumerable<IPAddress> Unicast() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => !IPAddress.IsLoopback(a) && (a.AddressFamily == AddressFamily.InterNetwork ||
                a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal && a.ScopeId == 0)) // ScopeId throws for IPv4
            .Distinct()
            .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1);
}
