using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A whole node through the AppHost whose styx-provider exports a folder of module packages at /pkg (the exports file
/// in its data folder), so that Modules.Install reads them through the node's namespace (styx-root's 9P endpoint).
/// </summary>
public sealed class InstallNodeFixture : IAsyncLifetime
{
    public const string ExportPath = "/pkg";
    public static readonly string[] HealthyModules = ["dht", "styx-provider", "styx-client", "styx-root"];

    private GrpcChannel? _channel;

    public string DataDirectory { get; } = ModuleProcess.NewTempDirectory("install");
    /// <summary>DATADIR/modules, the node's module folder.</summary>
    public string InstalledDirectory => Path.Combine(DataDirectory, "modules");
    public string Packages { get; } = ModuleProcess.NewTempDirectory("install-packages");
    public int SupervisorPort { get; } = FreePorts.Tcp();
    public DistributedApplication App { get; private set; } = null!;
    public Protos.Modules.Modules.ModulesClient Modules { get; private set; } = null!;
    public string NodeUid { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        using (var user = UserIdentityStore.LoadOrCreate(Path.Combine(DataDirectory, "user.key")))
            NodeUid = user.Uid;
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "exports.json"),
            $$"""{ "{{ExportPath}}": { "server": "export", "root": "{{Packages}}", "readOnly": true } }""");
        using var cts = new CancellationTokenSource(SupervisedNodeFixture.StartTimeout);
        App = await NodeApp.StartAsync(DataDirectory, SupervisorPort, [], HealthyModules, cts.Token);
        _channel = GrpcChannel.ForAddress($"http://127.0.0.1:{SupervisorPort.ToString(CultureInfo.InvariantCulture)}");
        Modules = new Protos.Modules.Modules.ModulesClient(_channel);
    }

    /// <summary>The node's namespace as its user sees it: a 9P connection to styx-root.</summary>
    public async Task<StyxFs> MountNamespaceAsync(CancellationToken cancellationToken)
    {
        var styx = App.GetEndpoint("styx-root", "styx");
        var tcp = new TcpClient();
        await tcp.ConnectAsync(styx.Host, styx.Port, cancellationToken);
        return await StyxFs.MountAsync(tcp.GetStream(), uname: NodeUid, ct: cancellationToken);
    }

    /// <summary>Stops the node and starts it again on the same data folder (and supervisor port).</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await App.DisposeAsync();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(SupervisedNodeFixture.StartTimeout);
        App = await NodeApp.StartAsync(DataDirectory, SupervisorPort, [], HealthyModules, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _channel?.Dispose();
        if (App is not null)
            await App.DisposeAsync();
        foreach (var folder in new[] { DataDirectory, Packages })
            if (Directory.Exists(folder))
                Directory.Delete(folder, recursive: true);
    }
}
