using Microsoft.Extensions.Configuration;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// How the supervisor rebuilds modules on a source change (AppHost configuration). Bad values stop the AppHost at start
/// with a message naming the key.
/// </summary>
public sealed record ReloadSettings
{
    /// <summary>The tree whose sources are watched and built (a checkout); default: the one the AppHost runs from.</summary>
    public const string SourceDirectoryKey = "Cheshire:SourceDir";
    public const string WatchKey = SupervisorSettings.Section + ":Watch";
    public const string DebounceMillisecondsKey = SupervisorSettings.Section + ":DebounceMilliseconds";
    public const string BuildTimeoutSecondsKey = SupervisorSettings.Section + ":BuildTimeoutSeconds";
    public const string TestTimeoutSecondsKey = SupervisorSettings.Section + ":TestTimeoutSeconds";
    public const string HealthyTimeoutSecondsKey = SupervisorSettings.Section + ":HealthyTimeoutSeconds";

    /// <summary>The checkout the AppHost's modules were built from (parent of services/).</summary>
    public required string CheckoutDirectory { get; init; }

    /// <summary>Where sources are watched and built from; the checkout unless <see cref="SourceDirectoryKey"/> says otherwise.</summary>
    public required string SourceDirectory { get; init; }

    /// <summary>The node's data folder: builds go to DATADIR/builds.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>False turns watching off for every module at start (Modules.SetWatch turns it on again per module).</summary>
    public bool Watch { get; init; } = true;

    /// <summary>Quiet time after the last change before a build starts (an editor's save is several events).</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(400);

    public TimeSpan BuildTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan TestTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a restarted module may take to answer /health before the old build is put back.</summary>
    public TimeSpan HealthyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public string BuildsDirectory => Path.Combine(DataDirectory, "builds");

    public static ReloadSettings Read(IConfiguration configuration, string checkoutDirectory, string dataDirectory)
    {
        var source = checkoutDirectory;
        if (configuration[SourceDirectoryKey] is { Length: > 0 } given)
        {
            source = Path.GetFullPath(given);
            if (!Directory.Exists(Path.Combine(source, "services")))
                throw new InvalidOperationException($"{SourceDirectoryKey} '{given}' has no services folder: it must be a Cheshire checkout.");
        }
        var watch = true;
        if (configuration[WatchKey] is { Length: > 0 } text && !bool.TryParse(text, out watch))
            throw new InvalidOperationException($"{WatchKey} '{text}' is not true or false.");
        return new ReloadSettings
        {
            CheckoutDirectory = Path.GetFullPath(checkoutDirectory),
            SourceDirectory = source,
            DataDirectory = dataDirectory,
            Watch = watch,
            Debounce = TimeSpan.FromMilliseconds(SupervisorSettings.Number(configuration, DebounceMillisecondsKey, 400, 0, 60_000)),
            BuildTimeout = TimeSpan.FromSeconds(SupervisorSettings.Number(configuration, BuildTimeoutSecondsKey, 600, 1, 7200)),
            TestTimeout = TimeSpan.FromSeconds(SupervisorSettings.Number(configuration, TestTimeoutSecondsKey, 300, 1, 7200)),
            HealthyTimeout = TimeSpan.FromSeconds(SupervisorSettings.Number(configuration, HealthyTimeoutSecondsKey, 60, 1, 3600)),
        };
    }
}
