using System.Net.Sockets;
using Aspire.Hosting.Testing;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>The node Modules.Install's test classes share, one class after another.</summary>
[CollectionDefinition(nameof(InstallNode))]
public sealed class InstallNode : ICollectionFixture<InstallNodeFixture>;

/// <summary>
/// A whole node through the AppHost whose styx-provider exports a folder of module packages at /pkg (the exports file
/// in its data folder), so that Modules.Install reads them through the node's namespace (styx-root's 9P endpoint).
/// </summary>
public sealed class InstallNodeFixture() : NodeFixture("install", HealthyModules)
{
    public const string ExportPath = "/pkg";
    public static readonly string[] HealthyModules = ["dht", "styx-provider", "styx-client", "styx-root"];

    /// <summary>DATADIR/modules, the node's module folder.</summary>
    public string InstalledDirectory => Path.Combine(DataDirectory, "modules");
    public string Packages { get; } = ModuleProcess.NewTempDirectory("install-packages");
    public string NodeUid { get; private set; } = "";

    protected override async Task BeforeStartAsync(CancellationToken cancellationToken)
    {
        using (var user = UserIdentityStore.LoadOrCreate(Path.Combine(DataDirectory, "user.key")))
            NodeUid = user.Uid;
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "exports.json"),
            $$"""{ "{{ExportPath}}": { "server": "export", "root": "{{Packages}}", "readOnly": true } }""", cancellationToken);
    }

    /// <summary>The node's namespace as its user sees it: a 9P connection to styx-root.</summary>
    public async Task<StyxFs> MountNamespaceAsync(CancellationToken cancellationToken)
    {
        var styx = App.GetEndpoint("styx-root", "styx");
        var tcp = new TcpClient();
        await tcp.ConnectAsync(styx.Host, styx.Port, cancellationToken);
        return await StyxFs.MountAsync(tcp.GetStream(), uname: NodeUid, ct: cancellationToken);
    }

    protected override ValueTask DisposeMoreAsync()
    {
        if (Directory.Exists(Packages))
            Directory.Delete(Packages, recursive: true);
        return ValueTask.CompletedTask;
    }
}
