using System.Net;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// The "Styx" configuration section, checked at start (<see cref="Validate"/>) and for every value set at run time
/// (Modules.SetConfig). <see cref="ResolveSeconds"/> applies at once; the others at the next start.
/// </summary>
public sealed class StyxRootOptions
{
    public const string Section = "Styx";
    public const string ResolveSecondsKey = Section + ":" + nameof(ResolveSeconds);
    public const double MaxResolveSeconds = 300;

    /// <summary>Where the 9P listener binds: host:port. Loopback only (see <see cref="Validate"/>).</summary>
    public string Endpoint { get; set; } = "127.0.0.1:6666";

    /// <summary>The largest msize the server accepts (kernel clients ask up to 512 KiB + header).</summary>
    public uint MaxMessageSize { get; set; } = 512 * 1024 + 24;

    /// <summary>Requests served at once on one connection.</summary>
    public int MaxConcurrentRequests { get; set; } = 32;

    /// <summary>
    /// Serve 9P and gRPC on the sockets' own thread (ServiceDefaults' UseInlineIo): styx-root answers from memory or
    /// relays to other servers without blocking, and a relayed request then costs no thread switches in styx-root.
    /// </summary>
    public bool InlineIo { get; set; } = true;

    /// <summary>Capacity of the in-memory tree mounted at /tmp; 0 mounts none.</summary>
    public long TmpCapacityBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Show the global namespace (styx-client's imports) where the local tree has nothing: at / and in synthetic
    /// directories. Only when styx-client is known (service discovery services:styx-client, as the AppHost sets).
    /// </summary>
    public bool GlobalNamespace { get; set; } = true;

    /// <summary>
    /// The deadline of one global-namespace lookup through styx-client (which waits on the DHT). Read at each lookup
    /// (IOptionsMonitor): a new value applies to the next walk.
    /// </summary>
    public double ResolveSeconds { get; set; } = 20;

    public TimeSpan ResolveTimeout => TimeSpan.FromSeconds(ResolveSeconds);

    /// <summary>Parses and checks <see cref="Endpoint"/>; a bad value stops the module with a clear message.</summary>
    public IPEndPoint Validate()
    {
        if (!IPEndPoint.TryParse(Endpoint, out var endpoint) || endpoint.Port == 0 && !Endpoint.EndsWith(":0", StringComparison.Ordinal))
            throw new InvalidOperationException(
                $"Styx:Endpoint '{Endpoint}' is not an address:port such as 127.0.0.1:6666 or [::1]:6666.");
        if (!IPAddress.IsLoopback(endpoint.Address))
            throw new InvalidOperationException(
                $"Styx:Endpoint '{Endpoint}' is not a loopback address. styx-root serves 9P without authentication, " +
                "so it binds only to 127.0.0.1 or ::1.");
        if (MaxMessageSize < 4096)
            throw new InvalidOperationException($"Styx:MaxMessageSize {MaxMessageSize} is below 4096.");
        if (MaxConcurrentRequests < 1)
            throw new InvalidOperationException($"Styx:MaxConcurrentRequests must be at least 1.");
        if (!(ResolveSeconds > 0 && ResolveSeconds <= MaxResolveSeconds))
            throw new InvalidOperationException($"{ResolveSecondsKey} {ResolveSeconds} must be more than 0 and at most {MaxResolveSeconds}.");
        return endpoint;
    }
}
