using Cheshire.Identity;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// The importing side's configuration, section "Imports", checked at start: a bad value stops the module with a
/// message naming the key.
/// </summary>
public sealed record ImportsSettings
{
    public const string LookupKey = "Imports:LookupSeconds";
    public const string MaxCacheKey = "Imports:MaxCacheSeconds";
    public const string NegativeCacheKey = "Imports:NegativeCacheSeconds";
    public const string SocketKey = "Imports:Socket";
    public const string SocketFileName = "styx-client.sock";

    /// <summary>The network (Cheshire:Salt): directory keys are computed in it.</summary>
    public string Salt { get; init; } = NetworkSalt.Default;

    /// <summary>The deadline of one DHT get: a name nobody publishes is "not found" after at most this long.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A listing is kept until its first entry expires, but never longer than this.</summary>
    public TimeSpan MaxCacheTime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long "nobody publishes that name" is believed before the DHT is asked again.</summary>
    public TimeSpan NegativeCacheTime { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The Unix socket (mode 0600) styx-root mounts imported trees from; default styx-client.sock in the data folder.</summary>
    public string Socket { get; init; } = "";

    public static ImportsSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(ImportsOptions.Section).Get<ImportsOptions>() ?? new ImportsOptions();
        options.Validate();
        var dataDirectory = DataDirectory.Resolve(configuration[DataDirectory.ConfigurationKey]);
        var socket = options.Socket.Length > 0 ? Path.GetFullPath(options.Socket) : Path.Combine(dataDirectory, SocketFileName);
        if (System.Text.Encoding.UTF8.GetByteCount(socket) > 107)
            throw new InvalidOperationException($"{SocketKey} '{socket}' is longer than a Unix socket path may be (107 bytes).");
        return new ImportsSettings
        {
            Salt = NetworkSalt.Resolve(configuration[NetworkSalt.ConfigurationKey]),
            LookupTimeout = TimeSpan.FromSeconds(options.LookupSeconds),
            MaxCacheTime = TimeSpan.FromSeconds(options.MaxCacheSeconds),
            NegativeCacheTime = TimeSpan.FromSeconds(options.NegativeCacheSeconds),
            Socket = socket,
        };
    }
}
