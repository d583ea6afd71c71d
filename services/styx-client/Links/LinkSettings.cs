using System.Globalization;
using System.Net;
using Cheshire.Identity;

namespace Cheshire.StyxClient.Links;

/// <summary>
/// The link listener's configuration, section "Link" (and the provider's socket, "Provider:Socket"), checked at start:
/// a bad value stops the module with a message naming the key.
/// </summary>
public sealed record LinkSettings
{
    public const string EndpointKey = "Link:Endpoint";
    public const string IdleSecondsKey = "Link:IdleSeconds";
    public const string MaxLinksKey = "Link:MaxLinks";
    public const string ProviderSocketKey = "Provider:Socket";
    public const int DefaultPort = 5660;

    /// <summary>Where links are accepted: all interfaces (IPv6 and IPv4) on the port, or the one address given.</summary>
    public required IPEndPoint Endpoint { get; init; }

    /// <summary>A link with no traffic either way for this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Links open at once; further connections are closed at once.</summary>
    public int MaxLinks { get; init; } = 256;

    /// <summary>styx-provider's 9P Unix socket, where each accepted link is spliced to.</summary>
    public required string ProviderSocket { get; init; }

    public static LinkSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(LinkListenerOptions.Section).Get<LinkListenerOptions>() ?? new LinkListenerOptions();
        options.Validate();
        var dataDirectory = DataDirectory.Resolve(configuration[DataDirectory.ConfigurationKey]);
        return new LinkSettings
        {
            Endpoint = ParseEndpoint(options.Endpoint),
            IdleTimeout = TimeSpan.FromSeconds(options.IdleSeconds),
            MaxLinks = options.MaxLinks,
            ProviderSocket = configuration[ProviderSocketKey] is { Length: > 0 } socket
                ? Path.GetFullPath(socket)
                : Path.Combine(dataDirectory, "styx-provider.sock"),
        };
    }

    /// <summary>"PORT" (all interfaces, as the AppHost passes it) or "ADDRESS:PORT"; empty means all interfaces on 5660.</summary>
    public static IPEndPoint ParseEndpoint(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return new IPEndPoint(IPAddress.IPv6Any, DefaultPort);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            return port <= IPEndPoint.MaxPort
                ? new IPEndPoint(IPAddress.IPv6Any, port)
                : throw new InvalidOperationException($"{EndpointKey} '{text}' is not a port (0-{IPEndPoint.MaxPort}).");
        if (IPEndPoint.TryParse(text, out var endpoint) && (text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : text.Count(c => c == ':') == 1))
            return endpoint;
        throw new InvalidOperationException($"{EndpointKey} '{text}' is neither a port (5660) nor an address:port (0.0.0.0:5660, [::1]:5660).");
    }
}
