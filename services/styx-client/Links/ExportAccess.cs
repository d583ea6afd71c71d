using Cheshire.Protos.Provider;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxClient.Links;

/// <summary>
/// Who may attach an export over a link: the export's owner (any node of that uid), the uids of its allow list, or
/// everyone when the list holds "*". Only entries of the exports file count; the node's built-in control trees are
/// never served to other nodes.
/// </summary>
public static class ExportAccess
{
    public const string Everyone = "*";

    /// <summary>The export at <paramref name="aname"/> that <paramref name="uid"/> may attach; otherwise a StyxErrorException saying why.</summary>
    public static ServerDefinition Check(IEnumerable<ServerEntry> servers, string aname, string uid)
    {
        var path = NormalizePath(aname);
        var export = servers.FirstOrDefault(s => !s.BuiltIn && s.Definition?.Path == path)?.Definition
                     ?? throw new StyxErrorException(Errno.ENOENT, $"attach refused: this node exports nothing at {path}");
        if (string.Equals(export.Uid, uid, StringComparison.OrdinalIgnoreCase)
            || export.Allow.Contains(Everyone)
            || export.Allow.Any(a => string.Equals(a, uid, StringComparison.OrdinalIgnoreCase)))
            return export;
        var allow = export.Allow.Count == 0 ? "no allow list: owner only" : "allow " + string.Join(", ", export.Allow);
        throw new StyxErrorException(Errno.EACCES, $"attach refused: uid {uid} may not attach {path} (owner {export.Uid}; {allow})");
    }

    /// <summary>The export path an attach names: absolute, no empty, "." or ".." segments, no trailing slash.</summary>
    public static string NormalizePath(string aname)
    {
        if (string.IsNullOrEmpty(aname))
            throw new StyxErrorException(Errno.ENOENT, "attach refused: the attach name must be the export's path, e.g. /music");
        var segments = aname.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!aname.StartsWith('/') || segments.Length == 0 || segments.Any(s => s is "." or ".."))
            throw new StyxErrorException(Errno.ENOENT, $"attach refused: '{aname}' is not an export path (absolute, without . or ..)");
        return "/" + string.Join('/', segments);
    }
}
