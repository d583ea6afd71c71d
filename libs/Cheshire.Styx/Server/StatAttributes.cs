using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>
/// Attributes for a 9P2000/.u stat. A .u stat carries a symlink's target, which trees fed by 9P2000.L getattr
/// (a remote tree, e.g. styx-root in front of styx-provider) do not have: it is read with readlink then.
/// </summary>
internal static class StatAttributes
{
    public static async ValueTask<NodeAttributes> GetAsync(INode node, Dialect dialect, CancellationToken ct)
    {
        var attributes = await node.GetAttributesAsync(ct);
        if (dialect == Dialect.Unix && (attributes.Mode & UnixMode.TypeMask) == UnixMode.Symlink && attributes.SymlinkTarget.Length == 0)
            attributes = attributes with { SymlinkTarget = await node.ReadLinkAsync(ct) };
        return attributes;
    }
}
