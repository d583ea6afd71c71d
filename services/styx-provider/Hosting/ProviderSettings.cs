using System.Net;
using Cheshire.Styx.Scripting;

namespace Cheshire.StyxProvider.Hosting;

/// <summary>
/// styx-provider's configuration, section "Provider", checked at start: a bad value stops the module with a message
/// naming the key.
/// </summary>
public sealed record ProviderSettings
{
    public const string Section = "Provider";
    public const string ConfigFileKey = "Provider:ConfigFile";
    public const string SocketKey = "Provider:Socket";
    public const string EndpointKey = "Provider:Endpoint";
    public const string MountKey = "Provider:MountInNamespace";
    public const string StyxRootReplicasKey = "Provider:StyxRootReplicas";
    public const string ReconcileKey = "Provider:ReconcileSeconds";
    public const string MaxMessageSizeKey = "Provider:MaxMessageSize";
    public const string ScriptLimitsKey = "Provider:Scripts";
    public const string InlineIoKey = "Provider:InlineIo";
    public const string DelegateExportsKey = "Provider:DelegateExports";

    /// <summary>The exports file (default: exports.json in the node's data folder).</summary>
    public required string ConfigFile { get; init; }

    /// <summary>The Unix socket of the 9P listener (default: styx-provider.sock in the node's data folder), mode 0600.</summary>
    public required string Socket { get; init; }

    /// <summary>Optional TCP listener (host:port) for where a Unix socket cannot be shared, e.g. between Kubernetes pods.</summary>
    public IPEndPoint? Endpoint { get; init; }

    /// <summary>Whether the provider mounts its trees in styx-root's namespace.</summary>
    public bool MountInNamespace { get; init; } = true;

    /// <summary>A host name whose every address is a styx-root replica to mount in; null: the one styx-root (services:styx-root).</summary>
    public string? StyxRootReplicas { get; init; }

    /// <summary>
    /// How often the mounts in styx-root are checked besides when styx-root (re)appears or the servers change: a safety
    /// net, and the longest pause between retries while styx-root cannot be reached.
    /// </summary>
    public TimeSpan ReconcileInterval { get; init; } = TimeSpan.FromSeconds(30);

    public uint MaxMessageSize { get; init; } = 512 * 1024 + 24;

    public int MaxConcurrentRequests { get; init; } = 32;

    /// <summary>
    /// Serve 9P on the sockets' own thread (ServiceDefaults' UseInlineIo): less latency and CPU per request. Safe because
    /// every tree leaves that thread before a call that may wait: an export answers only what the kernel has cached there
    /// (RESOLVE_CACHED lookups, RWF_NOWAIT reads) and runs the rest on the thread pool; scripts and proxies are async.
    /// </summary>
    public bool InlineIo { get; init; } = true;

    /// <summary>
    /// Mount export servers in styx-root as delegated exports: styx-root takes a descriptor of the export's root from
    /// <see cref="DelegationSocket"/> and serves the directory itself, with no 9P hop through the provider (a relay hop
    /// costs more CPU than a whole file server). Only with one styx-root on this machine (not with
    /// <see cref="StyxRootReplicas"/>); proxies, scripts and control trees are always relayed.
    /// </summary>
    public bool DelegateExports { get; init; } = true;

    /// <summary>The Unix socket (mode 0600, next to <see cref="Socket"/>) where styx-root takes export descriptors.</summary>
    public required string DelegationSocket { get; init; }

    /// <summary>What one call into a *.js server may use (Provider:Scripts:Timeout, MaxStatements, MaxMemory…).</summary>
    public ScriptLimits ScriptLimits { get; init; } = ScriptLimits.Default;

    public static ProviderSettings From(IConfiguration configuration)
    {
        var options = configuration.GetSection(ProviderOptions.Section).Get<ProviderOptions>() ?? new ProviderOptions();
        options.Validate();
        var dataDirectory = Cheshire.Identity.DataDirectory.Resolve(configuration["Cheshire:DataDir"]);
        var socket = options.Socket.Length > 0 ? Path.GetFullPath(options.Socket) : Path.Combine(dataDirectory, "styx-provider.sock");
        if (System.Text.Encoding.UTF8.GetByteCount(socket) > 107)
            throw new InvalidOperationException($"{SocketKey} '{socket}' is longer than a Unix socket path may be (107 bytes).");
        var delegation = Path.Combine(Path.GetDirectoryName(socket)!, Path.GetFileNameWithoutExtension(socket) + ".fd.sock");
        if (System.Text.Encoding.UTF8.GetByteCount(delegation) > 107)
            throw new InvalidOperationException($"{SocketKey} '{socket}': the descriptor socket next to it, {delegation}, is longer than a Unix socket path may be (107 bytes).");
        return new ProviderSettings
        {
            DelegationSocket = delegation,
            DelegateExports = options.DelegateExports,
            ConfigFile = options.ConfigFile.Length > 0 ? Path.GetFullPath(options.ConfigFile) : Path.Combine(dataDirectory, Config.ExportsFile.DefaultFileName),
            Socket = socket,
            Endpoint = options.Endpoint.Length > 0 ? IPEndPoint.Parse(options.Endpoint) : null,
            MountInNamespace = options.MountInNamespace,
            StyxRootReplicas = options.StyxRootReplicas.Length > 0 ? options.StyxRootReplicas : null,
            ReconcileInterval = TimeSpan.FromSeconds(options.ReconcileSeconds),
            MaxMessageSize = options.MaxMessageSize,
            InlineIo = options.InlineIo,
            ScriptLimits = options.Scripts,
        };
    }
}
