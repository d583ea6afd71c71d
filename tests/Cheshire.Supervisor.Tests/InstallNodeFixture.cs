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
/// in its data folder), so that Modules.Install reads them through the node's namespace (styx-root's 9P endpoint); and
/// another node of its network (module processes, its own user) exporting packages at /stranger/modules, which the
/// node imports when the path is asked for: its owner is a user the node does not trust.
/// </summary>
public sealed class InstallNodeFixture() : NodeFixture("install", HealthyModules)
{
    public const string ExportPath = "/pkg";
    public static readonly string[] HealthyModules = ["dht", "styx-provider", "styx-client", "styx-root"];

    /// <summary>DATADIR/modules, the node's module folder.</summary>
    public string InstalledDirectory => Path.Combine(DataDirectory, "modules");
    public string Packages { get; } = ModuleProcess.NewTempDirectory("install-packages");
    public string NodeUid { get; private set; } = "";

    /// <summary>The other node's export of packages, and the uid of its user (the owner the import shows).</summary>
    public const string StrangerExportPath = "/stranger/modules";
    public string StrangerPackages { get; private set; } = "";
    public string StrangerUid { get; private set; } = "";

    private readonly ModuleNetwork _network = new("install");
    private NetworkNode? _strangerNode;

    protected override IEnumerable<string> Settings =>
    [
        $"--Cheshire:Salt={_network.Salt}",
        $"--Cheshire:Config:dht:Dht:Bootstrap:0={_strangerNode?.DhtEndpoint}",
    ];

    protected override async Task BeforeStartAsync(CancellationToken cancellationToken)
    {
        StrangerPackages = _network.NewFolder("stranger-packages");
        _strangerNode = await _network.StartExportingNodeAsync(
            $$"""{ "{{StrangerExportPath}}": { "server": "export", "root": {{System.Text.Json.JsonSerializer.Serialize(StrangerPackages)}}, "allow": ["*"], "readOnly": true } }""",
            TimeSpan.FromSeconds(60), cancellationToken);
        using (var stranger = UserIdentityStore.LoadOrCreate(Path.Combine(_strangerNode.Data, UserIdentityStore.DefaultFileName)))
            StrangerUid = stranger.Uid;
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

    protected override async ValueTask DisposeMoreAsync()
    {
        await _network.DisposeAsync();
        if (Directory.Exists(Packages))
            Directory.Delete(Packages, recursive: true);
    }
}
