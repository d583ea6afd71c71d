using Cheshire.Identity;
using Microsoft.Extensions.Configuration;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// Modules.Install's settings (AppHost configuration): whose packages the node installs and how big one may be. Bad
/// values stop the AppHost at start naming the key.
/// </summary>
public sealed record InstallSettings
{
    public const string TrustedUidsKey = SupervisorSettings.Section + ":TrustedUids";
    public const string MaxPackageMegabytesKey = SupervisorSettings.Section + ":InstallMaxMegabytes";
    public const string MaxFilesKey = SupervisorSettings.Section + ":InstallMaxFiles";

    /// <summary>Owners whose packages are installed besides the node's own user (always trusted); lower-case uids.</summary>
    public IReadOnlySet<string> TrustedUids { get; init; } = new HashSet<string>();

    public long MaxPackageBytes { get; init; } = 16L << 20;

    public int MaxFiles { get; init; } = 500;

    /// <summary>DATADIR/modules: one folder per installed module.</summary>
    public required string ModulesDirectory { get; init; }

    /// <summary>The node's user key file (the node's user is always trusted, and is the uname on styx-root).</summary>
    public required string UserKeyPath { get; init; }

    public static InstallSettings Read(IConfiguration configuration, string dataDirectory, string userKeyPath)
    {
        var trusted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var uid in (configuration[TrustedUidsKey] ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            trusted.Add(UserIdentity.IsUid(uid) ? uid.ToLowerInvariant()
                : throw new InvalidOperationException($"{TrustedUidsKey}: '{uid}' is not a user id (40 hex digits, SHA1 of the user's public key)."));
        return new InstallSettings
        {
            TrustedUids = trusted,
            MaxPackageBytes = (long)SupervisorSettings.Number(configuration, MaxPackageMegabytesKey, 16, 1, 4096) << 20,
            MaxFiles = SupervisorSettings.Number(configuration, MaxFilesKey, 500, 1, 100_000),
            ModulesDirectory = Path.Combine(dataDirectory, "modules"),
            UserKeyPath = userKeyPath,
        };
    }
}
