using System.Net;
using Cheshire.Styx.Scripting;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// The "Provider" section as written (bound by ServiceDefaults' AddModuleSettings), checked at start and for every value
/// set at run time (Modules.SetConfig). Every key applies at the module's next start (<see cref="ProviderSettings"/> is
/// built once from them).
/// </summary>
public sealed class ProviderOptions
{
    public const string Section = "Provider";

    /// <summary>Empty: the exports file in the node's data folder.</summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>Empty: styx-provider.sock in the node's data folder.</summary>
    public string Socket { get; set; } = "";

    /// <summary>Optional TCP listener, host:port.</summary>
    public string Endpoint { get; set; } = "";

    public bool MountInNamespace { get; set; } = true;

    /// <summary>
    /// Empty: the trees are mounted in the one styx-root of services:styx-root. A host name (swarm's tasks.styx-root, a
    /// Kubernetes headless Service): every address it resolves to is a styx-root replica, and each gets the mounts.
    /// </summary>
    public string StyxRootReplicas { get; set; } = "";
    public double ReconcileSeconds { get; set; } = 30;
    public uint MaxMessageSize { get; set; } = 512 * 1024 + 24;
    public bool InlineIo { get; set; } = true;

    /// <summary>Hand export servers to styx-root as descriptors instead of relaying their 9P (see ProviderSettings).</summary>
    public bool DelegateExports { get; set; } = true;
    public ScriptLimits Scripts { get; set; } = new();

    /// <summary>Throws naming the key of the first bad value.</summary>
    public void Validate()
    {
        if (Socket.Length > 0 && System.Text.Encoding.UTF8.GetByteCount(Path.GetFullPath(Socket)) > 107)
            throw new InvalidOperationException($"{ProviderSettings.SocketKey} '{Socket}' is longer than a Unix socket path may be (107 bytes).");
        if (Endpoint.Length > 0 && !IPEndPoint.TryParse(Endpoint, out _))
            throw new InvalidOperationException($"{ProviderSettings.EndpointKey} '{Endpoint}' is not an address:port such as 127.0.0.1:5642.");
        if (StyxRootReplicas.Length > 0 && Uri.CheckHostName(StyxRootReplicas) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            throw new InvalidOperationException($"{ProviderSettings.StyxRootReplicasKey} '{StyxRootReplicas}' is not a host name such as tasks.styx-root.");
        if (ReconcileSeconds is <= 0 or > 3600 || double.IsNaN(ReconcileSeconds))
            throw new InvalidOperationException($"{ProviderSettings.ReconcileKey} {ReconcileSeconds} must be between 0 and 3600 seconds.");
        if (MaxMessageSize < 4096)
            throw new InvalidOperationException($"{ProviderSettings.MaxMessageSizeKey} {MaxMessageSize} is below 4096.");
    }
}
