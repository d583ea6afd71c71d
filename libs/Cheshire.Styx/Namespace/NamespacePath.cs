using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Namespaces;

/// <summary>Absolute, normalized namespace paths: "/" or "/a/b" (no trailing slash, no "." or "..", no empty names).</summary>
internal static class NamespacePath
{
    public const string Root = "/";

    public static string Normalize(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/')) throw new ArgumentException($"mount path '{path}' is not absolute", nameof(path));
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in names)
        {
            if (name is "." or "..") throw new ArgumentException($"mount path '{path}' contains '{name}'", nameof(path));
        }
        return names.Length == 0 ? Root : "/" + string.Join('/', names);
    }

    public static string Combine(string directory, string name) => directory == Root ? "/" + name : directory + "/" + name;

    public static string NameOf(string path) => path == Root ? Root : path[(path.LastIndexOf('/') + 1)..];

    public static string ParentOf(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash <= 0 ? Root : path[..slash];
    }

    /// <summary>Every proper ancestor of <paramref name="path"/> with the name of the next component below it.</summary>
    public static IEnumerable<(string Directory, string Child)> Ancestors(string path)
    {
        for (var current = path; current != Root; current = ParentOf(current)) yield return (ParentOf(current), NameOf(current));
    }

    public static string[] Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    public static void CheckName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/'))
            throw new StyxErrorException(Errno.EINVAL, $"bad name '{name}'");
    }
}
