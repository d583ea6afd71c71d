using System.Text.Json;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests.Resolving;

/// <summary>
/// Two nodes of one network, modules as processes, two users. A (dht, styx-provider, styx-client serving links) exports
/// /alice/music, /alice/docs and /tmp/notes to everyone. B (dht joined to A's, styx-client, styx-root, styx-provider
/// mounting its servers in B's styx-root) exports its own /alice/docs. Modules are up once /health answers: Degraded
/// is an answer, as no mainline-dht runs here.
/// </summary>
public sealed class ResolvingNodes : IAsyncLifetime
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private readonly ModuleNetwork _network = new("resolving");
    private readonly List<ModuleProcess> _restarted = [];

    public string DataA { get; private set; } = "";
    public ModuleProcess ClientB { get; private set; } = null!;
    public ModuleProcess RootB { get; private set; } = null!;
    public int StyxPortB { get; } = FreePorts.Tcp();

    /// <summary>A's user, the owner of A's exports.</summary>
    public string UidA { get; private set; } = "";

    /// <summary>How B lists A's /alice/docs next to its own: docs@ and A's uid's first 8 digits.</summary>
    public string TheirDocs => "docs@" + UidA[..8];

    public async ValueTask InitializeAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var music = _network.NewFolder("a-music");
        var docsA = _network.NewFolder("a-docs");
        var notes = _network.NewFolder("a-notes");
        var docsB = _network.NewFolder("b-docs");
        await File.WriteAllTextAsync(Path.Combine(music, "song.txt"), "A's song\n", ct);
        await File.WriteAllTextAsync(Path.Combine(docsA, "note.txt"), "A's note\n", ct);
        await File.WriteAllTextAsync(Path.Combine(notes, "n.txt"), "A's tmp note\n", ct);
        await File.WriteAllTextAsync(Path.Combine(docsB, "note.txt"), "B's note\n", ct);

        string dhtA;
        (DataA, dhtA, _) = await StartNodeAsync(Exports(("/alice/music", music), ("/alice/docs", docsA), ("/tmp/notes", notes)), null, withRoot: false, ct);
        (_, _, ClientB) = await StartNodeAsync(Exports(("/alice/docs", docsB)), dhtA, withRoot: true, ct);
        UidA = UserIdentityStore.Load(Path.Combine(DataA, UserIdentityStore.DefaultFileName)).Uid;
    }

    private static string Exports(params (string Path, string Root)[] exports) =>
        "{" + string.Join(",", exports.Select(e =>
            $"{JsonSerializer.Serialize(e.Path)}: {{ \"server\": \"export\", \"root\": {JsonSerializer.Serialize(e.Root)}, \"allow\": [\"*\"] }}")) + "}";

    /// <summary>dht, styx-client, (styx-root), styx-provider on a fresh data folder; returns it, the dht's endpoint and styx-client.</summary>
    private async Task<(string Data, string Dht, ModuleProcess Client)> StartNodeAsync(string exportsJson, string? bootstrap, bool withRoot, CancellationToken ct)
    {
        var data = _network.NewFolder("node");
        await File.WriteAllTextAsync(Path.Combine(data, "exports.json"), exportsJson, ct);
        int udp = FreePorts.Udp(), link = FreePorts.Tcp();
        var dht = await _network.StartDhtAsync(data, udp, Bound, ct, bootstrap);
        var provider = new Dictionary<string, string>
        {
            ["services:dht:grpc:0"] = ModuleNetwork.GrpcOf(dht),
            ["Link:Advertise"] = $"127.0.0.1:{link}",
            ["Provider:MountInNamespace"] = withRoot ? "true" : "false",
        };
        var client = new Dictionary<string, string>
        {
            ["services:dht:grpc:0"] = ModuleNetwork.GrpcOf(dht),
            ["Link:Endpoint"] = $"127.0.0.1:{link}",
        };
        if (withRoot)
        {
            var importer = await UpAsync(_network.Start("styx-client", "Cheshire.StyxClient", data, client), ct);
            RootB = await UpAsync(_network.Start("styx-root", "Cheshire.StyxRoot", data, new()
            {
                ["services:styx-client:grpc:0"] = ModuleNetwork.GrpcOf(importer),
                ["Styx:Endpoint"] = $"127.0.0.1:{StyxPortB}",
            }), ct);
            provider["services:styx-root:grpc:0"] = ModuleNetwork.GrpcOf(RootB);
            await UpAsync(_network.Start("styx-provider", "Cheshire.StyxProvider", data, provider), ct);
            return (data, $"127.0.0.1:{udp}", importer);
        }
        var served = await UpAsync(_network.Start("styx-provider", "Cheshire.StyxProvider", data, provider), ct);
        client["services:styx-provider:grpc:0"] = ModuleNetwork.GrpcOf(served);
        return (data, $"127.0.0.1:{udp}", await UpAsync(_network.Start("styx-client", "Cheshire.StyxClient", data, client), ct));
    }

    private static async Task<ModuleProcess> UpAsync(ModuleProcess module, CancellationToken ct)
    {
        await module.WaitHealthyAsync(Bound, ct);
        return module;
    }

    /// <summary>A 9P client of B's styx-root (9P2000.L, or <paramref name="version"/>).</summary>
    public async Task<StyxFs> MountBAsync(CancellationToken ct, string version = Styx.Protocol.DialectNames.Linux)
    {
        var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(System.Net.IPAddress.Loopback, StyxPortB, ct);
        return await StyxFs.MountAsync(tcp.GetStream(), uname: "tester", version: version, ct: ct);
    }

    /// <summary>Every module's output, for failure messages.</summary>
    public string Describe() => _network.Describe();

    /// <summary>Starts B's styx-client again (same ports, data folder and settings) after it was killed; returns once it is up.</summary>
    public async Task StartClientBAgainAsync(CancellationToken ct)
    {
        ClientB = await ClientB.RestartAsync();
        _restarted.Add(ClientB);
        await UpAsync(ClientB, ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _restarted) await process.DisposeAsync();
        await _network.DisposeAsync();
    }
}
