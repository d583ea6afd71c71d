using Cheshire.GlobalNamespace;
using Cheshire.Identity;

namespace Cheshire.StyxProvider.Publishing;

/// <summary>
/// How the provider publishes its servers in the global namespace, checked at start: a bad value stops the module
/// with a message naming the key.
/// </summary>
public sealed record PublishingSettings
{
    public const string AdvertiseKey = "Link:Advertise";
    /// <summary>styx-client's link port (module.json: "{styx-client:link}"), advertised on this machine's addresses when Link:Advertise is not set.</summary>
    public const string LinkPortKey = "Link:Port";
    public const string LifetimeKey = "Publishing:EntryLifetime";
    public const string StateFileKey = "Publishing:StateFile";
    public const string DefaultStateFileName = "styx-provider-published.json";

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinLifetime = TimeSpan.FromSeconds(10);

    /// <summary>The network (Cheshire:Salt): part of every directory key.</summary>
    public required string Salt { get; init; }

    /// <summary>host:port of the node's link listener that entries carry; none: nothing is published.</summary>
    public required IReadOnlyList<string> Advertise { get; init; }

    /// <summary>How long a published entry holds; it is republished at half of it.</summary>
    public TimeSpan EntryLifetime { get; init; } = DefaultLifetime;

    /// <summary>What has been published (see <see cref="PublishedState"/>).</summary>
    public required string StateFile { get; init; }

    public static PublishingSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(PublishingOptions.Section).Get<PublishingOptions>() ?? new PublishingOptions();
        options.Validate();
        return new PublishingSettings
        {
            Salt = NetworkSalt.Resolve(configuration[NetworkSalt.ConfigurationKey]),
            Advertise = AdvertisedAddresses(configuration),
            EntryLifetime = options.EntryLifetime,
            StateFile = options.StateFile is { Length: > 0 } file ? Path.GetFullPath(file)
                : Path.Combine(DataDirectory.Resolve(configuration[DataDirectory.ConfigurationKey]), DefaultStateFileName),
        };
    }

    /// <summary>Link:Advertise as written; else styx-client's link port (Link:Port) on this machine's addresses.</summary>
    private static List<string> AdvertisedAddresses(IConfiguration configuration)
    {
        if (configuration[LinkPortKey] is not { Length: > 0 } portText || configuration[AdvertiseKey] is { Length: > 0 })
            return ParseAdvertise(configuration[AdvertiseKey] ?? "");
        if (!int.TryParse(portText, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new InvalidOperationException($"{LinkPortKey} '{portText}' is not a port (1-65535).");
        return [.. LocalAddresses.Unicast().Take(EntryAddress.MaxCount).Select(a => EntryAddressOf(a, port))];
    }

    private static List<string> ParseAdvertise(string text)
    {
        var addresses = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        foreach (var address in addresses)
        {
            if (EntryAddress.Problem(address) is { } problem)
                throw new InvalidOperationException($"{AdvertiseKey}: {problem} Write host:port, e.g. 203.0.113.7:5660 or [2001:db8::7]:5660.");
        }
        if (addresses.Count > EntryAddress.MaxCount)
            throw new InvalidOperationException($"{AdvertiseKey} lists {addresses.Count} addresses; at most {EntryAddress.MaxCount} are allowed.");
        return addresses;
    }

    private static string EntryAddressOf(System.Net.IPAddress address, int port) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
