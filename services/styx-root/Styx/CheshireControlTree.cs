using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Cheshire.Identity;
using Cheshire.Styx.FileSystem.Synthetic;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// /cheshire: read-only files describing this node, in Plan 9's one-value-per-file habit: node (node id), key (node
/// public key), user (the uid of the node's user), version, uptime, mounts.
/// </summary>
public static class CheshireControlTree
{
    public static SyntheticDirectory Create(NodeIdentity identity, UserIdentity user, Func<string> mounts, TimeProvider time)
    {
        var started = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime());
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

        var root = new SyntheticDirectory("cheshire");
        root.AddFile("node", () => identity.NodeIdHex + "\n");
        root.AddFile("key", () => Convert.ToHexStringLower(identity.PublicKey) + "\n");
        root.AddFile("user", () => user.Uid + "\n");
        root.AddFile("version", () => version + "\n");
        root.AddFile("uptime", () =>
            ((long)(time.GetUtcNow() - started).TotalSeconds).ToString(CultureInfo.InvariantCulture) + "\n");
        root.AddFile("mounts", mounts);
        return root;
    }
}
