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

    /// <summary>
    /// <see cref="Resolve"/>, then creates the folder; one that cannot be created (a file in the way, no permission)
    /// fails with a message naming <see cref="ConfigurationKey"/>.
    /// </summary>
    public static string Create(string? configured = null)
    {
        var path = Resolve(configured);
        try
        {
            if (File.Exists(path))
                throw new IOException("a file of that name exists");
            Directory.CreateDirectory(path);
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidOperationException($"{ConfigurationKey} '{path}' cannot be created: {e.Message}", e);
        }
    }

    internal static string Expand(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
