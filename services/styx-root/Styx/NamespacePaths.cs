namespace Cheshire.StyxRoot.Styx;

/// <summary>Checks the paths clients give to Mount and Unmount.</summary>
public static class NamespacePaths
{
    /// <summary>Returns the path in canonical form ("/a/b") or throws InvalidArgument saying what is wrong.</summary>
    public static string Check(string path)
    {
        if (string.IsNullOrEmpty(path) || path[0] != '/')
            throw NamespaceApi.Invalid($"path '{path}' must be absolute (start with '/').");
        if (path.Contains('\0'))
            throw NamespaceApi.Invalid("path contains a NUL byte.");
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var name in names)
        {
            if (name is "." or "..")
                throw NamespaceApi.Invalid($"path '{path}' contains '{name}'; give a canonical path.");
            if (name.Length > 255)
                throw NamespaceApi.Invalid($"path '{path}' has a name longer than 255 bytes.");
        }
        return "/" + string.Join('/', names);
    }
}
