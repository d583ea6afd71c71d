namespace Cheshire.Identity;

/// <summary>
/// Where the user key lives and how it is loaded. By default user.key in the node's data folder, created on first
/// start (mode 0600); <see cref="ConfigurationKey"/> points elsewhere, e.g. at a key shared by several nodes on one
/// machine. To give another node the same user, copy the file there (mode 0600) before its first start, or point
/// its Cheshire:UserKey at it. The file is refused if group or others may read it.
/// </summary>
public static class UserIdentityStore
{
    public const string ConfigurationKey = "Cheshire:UserKey";
    public const string DefaultFileName = "user.key";

    /// <summary>The configured file ("~" is the home folder), else user.key in <paramref name="dataDirectory"/>.</summary>
    public static string ResolvePath(string dataDirectory, string? configured) =>
        string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(dataDirectory, DefaultFileName)
            : Path.GetFullPath(DataDirectory.Expand(configured));

    public static UserIdentity LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return UserIdentity.FromSeed(KeyFile.User.LoadOrCreate(path, NewSeed));
    }

    public static UserIdentity Load(string path) => UserIdentity.FromSeed(KeyFile.User.Load(path));

    private static byte[] NewSeed()
    {
        using var fresh = UserIdentity.Generate();
        return fresh.ExportSeed();
    }
}
