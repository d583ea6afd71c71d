using System.Net.Sockets;
using System.Text.Json;
using Cheshire.Identity;
using Cheshire.Link;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.StyxClient.Tests.Links;

/// <summary>
/// One node's styx-provider and styx-client as the AppHost starts them: one data folder (node.key, user.key,
/// exports.json, the provider's socket), styx-client told where the provider's gRPC is and listening for links on a free
/// loopback port. The export /shared is a temp folder (owner only), /open another (allow "*").
/// </summary>
public sealed class LinkNode : IAsyncDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private LinkNode(string data, string shared, string open, ModuleProcess provider, ModuleProcess client, int linkPort)
    {
        DataDirectory = data;
        SharedDirectory = shared;
        OpenDirectory = open;
        Provider = provider;
        Client = client;
        LinkPort = linkPort;
    }

    public string DataDirectory { get; }
    public string SharedDirectory { get; }
    public string OpenDirectory { get; }
    public ModuleProcess Provider { get; private set; }
    public ModuleProcess Client { get; }
    public int LinkPort { get; }

    /// <summary>The node id styx-client presents, from the node key in the data folder.</summary>
    public byte[] NodeId => NodeIdentityStore.Load(Path.Combine(DataDirectory, NodeIdentityStore.KeyFileName)).NodeId;

    /// <summary>The node's user, from user.key in the data folder.</summary>
    public UserIdentity User => UserIdentityStore.Load(Path.Combine(DataDirectory, UserIdentityStore.DefaultFileName));

    public static async Task<LinkNode> StartAsync(IDictionary<string, string>? clientSettings = null)
    {
        var data = ModuleProcess.NewTempDirectory("node");
        var shared = ModuleProcess.NewTempDirectory("shared");
        var open = ModuleProcess.NewTempDirectory("open");
        await File.WriteAllTextAsync(Path.Combine(data, "exports.json"), $$"""
            {
              "/shared": { "server": "export", "root": {{JsonSerializer.Serialize(shared)}} },
              "/open": { "server": "export", "root": {{JsonSerializer.Serialize(open)}}, "allow": ["*"] }
            }
            """);
        var provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"),
            new Dictionary<string, string> { ["Provider:MountInNamespace"] = "false" }, data);
        ModuleProcess? client = null;
        try
        {
            // The provider makes the node and user keys first; the client then loads the same ones. Both are Degraded
            // here: no dht runs.
            await provider.WaitHealthyAsync(Bound, default);
            var linkPort = FreePorts.Tcp();
            var settings = new Dictionary<string, string>
            {
                ["Link:Endpoint"] = $"127.0.0.1:{linkPort}",
                ["services:styx-provider:grpc:0"] = provider.GrpcAddress.ToString().TrimEnd('/'),
            };
            foreach (var (key, value) in clientSettings ?? new Dictionary<string, string>()) settings[key] = value;
            client = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-client", "Cheshire.StyxClient"), settings, data);
            await client.WaitHealthyAsync(Bound, default);
            return new LinkNode(data, shared, open, provider, client, linkPort);
        }
        catch
        {
            if (client is not null) await client.DisposeAsync();
            await provider.DisposeAsync();
            throw;
        }
    }

    /// <summary>Dials the node's link port as another node holding <paramref name="credentials"/>, expecting <paramref name="nodeId"/>.</summary>
    public async Task<LinkConnection> ConnectAsync(LinkCredentials credentials, byte[]? nodeId = null, CancellationToken ct = default)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", LinkPort, ct);
        return await LinkStream.ConnectAsync(tcp.GetStream(), credentials, nodeId ?? NodeId, cancellationToken: ct);
    }

    /// <summary>A link as another node of <paramref name="user"/>, attached to <paramref name="export"/>.</summary>
    public async Task<StyxFs> MountAsync(UserIdentity user, string export, string version = Styx.Protocol.DialectNames.Linux,
        CancellationToken ct = default)
    {
        // Kept for the link's life (a test process: the GC collects them).
        var credentials = LinkCredentials.Create(NodeIdentity.Generate(), user);
        var link = await ConnectAsync(credentials, ct: ct);
        return await StyxFs.MountAsync(link.Stream, uname: user.Uid, aname: export, version: version, ct: ct);
    }

    /// <summary>Kills styx-provider and starts it again on the same data folder, as a supervisor would.</summary>
    public async Task RestartProviderAsync()
    {
        Provider = await Provider.RestartAsync();
        await Provider.WaitHealthyAsync(Bound, default);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Provider.DisposeAsync();
        foreach (var directory in new[] { DataDirectory, SharedDirectory, OpenDirectory })
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }
}
