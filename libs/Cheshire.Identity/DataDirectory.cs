namespace Cheshire.Identity;

/// <summary>Where a node keeps its state. One folder per node, shared by its modules.</summary>
public static class DataDirectory
{
    public const string ConfigurationKey = "Cheshire:DataDir";
    public const string EnvironmentVariable = "CHESHIRE_DATA_DIR";

    /// <summary>The configured folder, else $CHESHIRE_DATA_DIR, else ~/.cheshire.</summary>
    public static string Resolve(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
            return Path.GetFullPath(Expand(configured));
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return Path.GetFullPath(Expand(fromEnvironment));
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cheshire");
    }

    internal static string Expand(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
