using System.Net.Sockets;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Testing;
using Grpc.Net.Client;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;
using ProviderClient = Cheshire.Protos.Provider.Provider.ProviderClient;

namespace Cheshire.StyxProvider.Tests;

/// <summary>
/// The two modules of a node that make its namespace: styx-root (9P on a free port) and styx-provider pointed at it,
/// as the AppHost would start them, with the provider's exports file in its data folder. Either can be restarted.
/// </summary>
public sealed class ProviderNode : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private ProviderNode(ModuleProcess root, ModuleProcess provider, int styxPort)
    {
        Root = root;
        Provider = provider;
        StyxPort = styxPort;
    }

    public ModuleProcess Root { get; private set; }
    public ModuleProcess Provider { get; private set; }
    public int StyxPort { get; }
    public string ExportsFile => Path.Combine(Provider.DataDirectory, "exports.json");

    /// <summary>The uid the provider serves for, read from its default key file (user.key in its data folder).</summary>
    public string DefaultUserUid
    {
        get
        {
            using var user = UserIdentityStore.Load(Path.Combine(Provider.DataDirectory, UserIdentityStore.DefaultFileName));
            return user.Uid;
        }
    }

    /// <summary>
    /// Starts both; <paramref name="dhtGrpc"/> is a running dht module for the /dht control tree; <paramref name="userKey"/>
    /// is the provider's Cheshire:UserKey (default: user.key in its data folder); <paramref name="more"/> adds settings.
    /// </summary>
    public static async Task<ProviderNode> StartAsync(string? exportsJson = null, Uri? dhtGrpc = null, string? userKey = null,
        IReadOnlyDictionary<string, string>? more = null)
    {
        var styxPort = FreePorts.Tcp();
        var root = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-root", "Cheshire.StyxRoot"),
            new Dictionary<string, string> { ["Styx:Endpoint"] = $"127.0.0.1:{styxPort}", ["Styx:TmpCapacityBytes"] = "0" });
        var data = ModuleProcess.NewTempDirectory("provider");
        if (exportsJson is not null) await File.WriteAllTextAsync(Path.Combine(data, "exports.json"), exportsJson);
        var settings = new Dictionary<string, string>
        {
            ["services:styx-root:grpc:0"] = root.GrpcAddress.ToString().TrimEnd('/'),
            ["Provider:ReconcileSeconds"] = "120", // the safety net out of the way: restores must come from the health watch
        };
        if (dhtGrpc is not null) settings["services:dht:grpc:0"] = dhtGrpc.ToString().TrimEnd('/');
        if (userKey is not null) settings[UserIdentityStore.ConfigurationKey] = userKey;
        foreach (var (key, value) in more ?? new Dictionary<string, string>()) settings[key] = value;
        var provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"), settings, data);
        var node = new ProviderNode(root, provider, styxPort);
        try
        {
            await Task.WhenAll(root.WaitHealthyAsync(Bound, default), provider.WaitHealthyAsync(Bound, default));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    public NamespaceClient Namespace => new(GrpcChannel.ForAddress(Root.GrpcAddress));
    public ProviderClient Api => new(GrpcChannel.ForAddress(Provider.GrpcAddress));

    /// <summary>A 9P2000.L client of styx-root, attached as the mounting user would be.</summary>
    public async Task<StyxFs> MountAsync(CancellationToken ct)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", StyxPort, ct);
        return await StyxFs.MountAsync(tcp.GetStream(), "tester", ct: ct);
    }

    /// <summary>Reads a file of the namespace over a fresh connection.</summary>
    public async Task<string> ReadAsync(string path, CancellationToken ct)
    {
        await using var fs = await MountAsync(ct);
        return await fs.ReadTextAsync(path, ct);
    }

    public async Task RestartRootAsync()
    {
        Root = await Root.RestartAsync();
        await Root.WaitHealthyAsync(Bound, default);
    }

    public async Task RestartProviderAsync()
    {
        Provider = await Provider.RestartAsync();
        await Provider.WaitHealthyAsync(Bound, default);
    }

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        await Root.DisposeAsync();
    }
}
