using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Cheshire.GlobalNamespace;

/// <summary>
/// An address of a node's link listener as an entry carries it: "host:port", where host is an IPv4 address, a DNS
/// name, or an IPv6 address in brackets ("[::1]:7000"); port 1-65535.
/// </summary>
public static class EntryAddress
{
    public const int MaxLength = 261;
    public const int MaxCount = 16;

    /// <summary>Why <paramref name="address"/> is not a valid entry address, or null when it is.</summary>
    public static string? Problem(string? address)
    {
        if (string.IsNullOrEmpty(address))
            return "an address is empty.";
        if (address.Length > MaxLength)
            return $"the address '{address[..40]}…' is longer than {MaxLength} characters.";
        if (!TryParse(address, out _, out _, out var why))
            return $"the address '{NamespacePath.Printable(address)}' {why}";
        return null;
    }

    /// <summary>Splits a valid address into host (brackets removed) and port.</summary>
    public static bool TryParse(string address, out string host, out int port, out string whyNot)
    {
        host = "";
        port = 0;
        int colon;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']');
            if (close < 0 || close + 1 >= address.Length || address[close + 1] != ':')
                return Fail("has '[' but not the form [v6]:port.", out whyNot);
            host = address[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                return Fail("has no IPv6 address in its brackets.", out whyNot);
            colon = close + 1;
        }
        else
        {
            colon = address.LastIndexOf(':');
            if (colon <= 0)
                return Fail("is not host:port.", out whyNot);
            host = address[..colon];
            if (host.Contains(':'))
                return Fail("has an IPv6 address without brackets (write [v6]:port).", out whyNot);
            if (!IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) != UriHostNameType.Dns)
                return Fail("has no valid host name or IPv4 address.", out whyNot);
        }
        var portText = address[(colon + 1)..];
        if (portText.Length is 0 or > 5 || !portText.All(char.IsAsciiDigit) ||
            !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            return Fail("has no port from 1 to 65535.", out whyNot);
        whyNot = "";
        return true;
    }

    private static bool Fail(string why, out string whyNot)
    {
        whyNot = why;
        return false;
    }
}
