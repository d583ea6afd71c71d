using System.Text.RegularExpressions;
using Cheshire.Deploy.Tests.Manifests;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// A module's settings as the manifests give them (deploy/k8s/base/settings/node.env + MODULE.env), for a node whose
/// Services are named with a prefix, as each namespace has its own in Kubernetes: "dht" becomes "node1-dht".
/// </summary>
public static partial class NodeSettings
{
    public static Dictionary<string, string> For(string module, string prefix)
    {
        var settings = new Dictionary<string, string>();
        foreach (var file in new[] { "node.env", module + ".env" })
            foreach (var line in File.ReadLines(Path.Combine(Kustomize.DeployDirectory, "k8s", "base", "settings", file)))
            {
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var equals = line.IndexOf('=');
                settings[line[..equals]] = ServiceHost().Replace(line[(equals + 1)..], m => prefix + m.Value);
            }
        return settings;
    }

    /// <summary>A Service name as the host of host:port or scheme://host:port.</summary>
    [GeneratedRegex("(?<=^|//)(dht-peers|dht|mainline-dht|styx-root|styx-provider|styx-client)(?=:)")]
    private static partial Regex ServiceHost();
}
