using System.Globalization;
using System.Text.RegularExpressions;

namespace Cheshire.Modules;

/// <summary>
/// Cheshire:PortOffset: how far every fixed port of a node moves (9P, UDP, gRPC, health, dashboard), so that several
/// nodes run on one machine. 0 by default; a port of 0 (a free one, chosen when bound) stays 0.
/// </summary>
public sealed partial record PortOffset(int Value)
{
    public const string ConfigurationKey = "Cheshire:PortOffset";
    public const int MaxPort = 65535;

    public static readonly PortOffset None = new(0);

    public static PortOffset Parse(string? configured)
    {
        if (string.IsNullOrWhiteSpace(configured))
            return None;
        if (!int.TryParse(configured, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            throw new InvalidOperationException($"{ConfigurationKey} '{configured}' is not a whole number.");
        if (value < 0)
            throw new InvalidOperationException($"{ConfigurationKey} {value} is negative; an offset moves ports up, from 0 to {MaxPort}.");
        if (value > MaxPort)
            throw new InvalidOperationException($"{ConfigurationKey} {value} is larger than the largest port, {MaxPort}.");
        return new PortOffset(value);
    }

    /// <summary>The port moved by the offset; <paramref name="what"/> names the port in the error when it passes 65535.</summary>
    public int Apply(int port, string what)
    {
        if (port == 0 || Value == 0)
            return port;
        var moved = port + Value;
        if (moved > MaxPort)
            throw new InvalidOperationException(
                $"{ConfigurationKey} {Value} moves {what} from {port} to {moved}, past {MaxPort} (this port allows an offset of at most {MaxPort - port}).");
        return moved;
    }

    /// <summary>
    /// Moves the port of every URL in a ';'-separated list such as ASPNETCORE_URLS (http://127.0.0.1:15888).
    /// A URL without an explicit port is refused: its port depends on the scheme and would silently stay put.
    /// </summary>
    public string ApplyToUrls(string urls, string key)
    {
        if (Value == 0)
            return urls;
        return string.Join(';', urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(url =>
        {
            var match = UrlWithPort().Match(url);
            if (!match.Success)
                throw new InvalidOperationException($"{key} '{url}' has no explicit port, so {ConfigurationKey} cannot move it; write scheme://host:port.");
            var port = int.Parse(match.Groups["port"].ValueSpan, CultureInfo.InvariantCulture);
            return match.Groups["head"].Value + Apply(port, $"{key} ({url})").ToString(CultureInfo.InvariantCulture) + match.Groups["tail"].Value;
        }));
    }

    [GeneratedRegex(@"^(?<head>[A-Za-z][A-Za-z0-9+.-]*://(\[[^\]]*\]|[^/:\[]+):)(?<port>\d{1,5})(?<tail>/.*)?$")]
    private static partial Regex UrlWithPort();
}
