using Grpc.Core;

namespace Cheshire.Supervisor.Install;

/// <summary>A package's path in the node's namespace: absolute, canonical ("/a/b", no ".", "..", or empty names).</summary>
public static class PackagePath
{
    public static string Check(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InstallException(StatusCode.InvalidArgument, "path is empty: give the package's path in the node's namespace, e.g. /alice/modules/hello.");
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        if (!trimmed.StartsWith('/') || trimmed == "/")
            throw new InstallException(StatusCode.InvalidArgument, $"'{path}' is not an absolute path below / in the node's namespace.");
        var names = trimmed[1..].Split('/');
        if (names.Any(n => n is "" or "." or ".." || n.Contains('\0')))
            throw new InstallException(StatusCode.InvalidArgument, $"'{path}' is not canonical: no empty, '.' or '..' names.");
        return trimmed;
    }

    /// <summary>Where a descriptor's relative path (its project, its tests) lands; null when it leaves the package.</summary>
    public static string? Inside(string packageDirectory, string relative)
    {
        if (Path.IsPathRooted(relative))
            return null;
        var full = Path.GetFullPath(Path.Combine(packageDirectory, relative));
        return full.StartsWith(packageDirectory.TrimEnd('/') + "/", StringComparison.Ordinal) ? full : null;
    }
}
