using System.Globalization;
using System.Net;
using Cheshire.Modules;
using Microsoft.Extensions.Configuration;

namespace Cheshire.Supervisor;

/// <summary>
/// The supervisor's settings (AppHost configuration, section Cheshire:Supervisor): where the Modules API listens, and
/// how crashed modules are restarted. Bad values stop the AppHost at start with a message naming the key.
/// </summary>
public sealed record SupervisorSettings
{
    public const string Section = "Cheshire:Supervisor";
    public const string EndpointKey = Section + ":Endpoint";
    public const string MaxRestartsKey = Section + ":MaxRestarts";
    public const string WindowSecondsKey = Section + ":WindowSeconds";
    public const string BackoffMillisecondsKey = Section + ":BackoffMilliseconds";
    public const string MaxBackoffSecondsKey = Section + ":MaxBackoffSeconds";
    public const string EnsureTimeoutSecondsKey = Section + ":EnsureTimeoutSeconds";

    /// <summary>The Modules API's default port, moved by Cheshire:PortOffset (next to the modules' 5110-5151).</summary>
    public const int DefaultPort = 5101;

    /// <summary>Loopback only: the API starts and stops modules and has no authentication.</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Loopback, DefaultPort);

    /// <summary>Restarts allowed within <see cref="Window"/>; one more crash marks the module failed (OTP's MaxR).</summary>
    public int MaxRestarts { get; init; } = 5;

    /// <summary>How far back restarts count towards <see cref="MaxRestarts"/> (OTP's MaxT).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The wait before the first restart; it doubles with each restart still in the window.</summary>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long Modules.Ensure waits for each module it starts (or finds starting) to become healthy.</summary>
    public TimeSpan EnsureTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// Reads and checks the settings. Cheshire:Supervisor:Endpoint, when set, is taken exactly; otherwise the endpoint is
    /// 127.0.0.1:<see cref="DefaultPort"/> moved by <paramref name="offset"/>.
    /// </summary>
    public static SupervisorSettings Read(IConfiguration configuration, PortOffset offset)
    {
        var backoff = TimeSpan.FromMilliseconds(Number(configuration, BackoffMillisecondsKey, 500, 1, 600_000));
        var maxBackoff = TimeSpan.FromSeconds(Number(configuration, MaxBackoffSecondsKey, 30, 1, 3600));
        if (maxBackoff < backoff)
            throw new InvalidOperationException(
                $"{MaxBackoffSecondsKey} {maxBackoff.TotalSeconds} is shorter than {BackoffMillisecondsKey} {backoff.TotalMilliseconds}.");
        return new SupervisorSettings
        {
            Endpoint = configuration[EndpointKey] is { Length: > 0 } text
                ? ParseEndpoint(text)
                : new IPEndPoint(IPAddress.Loopback, offset.Apply(DefaultPort, "the supervisor's Modules API port")),
            MaxRestarts = Number(configuration, MaxRestartsKey, 5, 0, 1000),
            Window = TimeSpan.FromSeconds(Number(configuration, WindowSecondsKey, 60, 1, 86_400)),
            Backoff = backoff,
            MaxBackoff = maxBackoff,
            EnsureTimeout = TimeSpan.FromSeconds(Number(configuration, EnsureTimeoutSecondsKey, 120, 1, 3600)),
        };
    }

    private static IPEndPoint ParseEndpoint(string text)
    {
        if (!IPEndPoint.TryParse(text, out var endpoint) || endpoint.Port == 0)
            throw new InvalidOperationException($"{EndpointKey} '{text}' is not an IP address and port such as 127.0.0.1:{DefaultPort}.");
        if (!IPAddress.IsLoopback(endpoint.Address))
            throw new InvalidOperationException($"{EndpointKey} '{text}' is not a loopback address: the Modules API has no authentication.");
        return endpoint;
    }

    internal static int Number(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        if (configuration[key] is not { Length: > 0 } text)
            return fallback;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidOperationException($"{key} '{text}' is not a whole number from {min} to {max}.");
        return value;
    }
}
