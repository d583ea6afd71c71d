using System.Net;
using System.Net.Sockets;

namespace Cheshire.Dht.Node;

/// <summary>Turns "1.2.3.4:5", "[::1]:5" or "host:5" into UDP endpoints.</summary>
public static class EndpointParser
{
    /// <summary>Checks the text's shape; false with a reason when it is not an endpoint.</summary>
    public static bool TryParse(string text, out string host, out int port, out string error)
    {
        host = "";
        port = 0;
        error = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "an endpoint is empty";
            return false;
        }
        if (IPEndPoint.TryParse(text, out var ip) && ip.Port != 0 && (text.Contains("]:") || text.Count(c => c == ':') == 1))
        {
            host = ip.Address.ToString();
            port = ip.Port;
            return true;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out port) || port is < 1 or > 65535)
        {
            error = $"'{text}' is not host:port with a port from 1 to 65535";
            return false;
        }
        host = text[..colon];
        if (host.Contains(':') || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            error = $"'{text}' does not name a host";
            return false;
        }
        return true;
    }

    /// <summary>Resolves host:port text to endpoints a socket of <paramref name="family"/> can reach.</summary>
    public static async Task<IReadOnlyList<IPEndPoint>> ResolveAsync(string text, AddressFamily family, bool dualMode, CancellationToken ct)
    {
        if (!TryParse(text, out var host, out var port, out var error)) throw new FormatException(error);
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        return addresses
            .Where(a => a.AddressFamily == family || dualMode && a.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => new IPEndPoint(a, port))
            .ToList();
    }
}
