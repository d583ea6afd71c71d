using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Cheshire.Protos.Importer;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Grpc.Net.Client;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;
using ImporterClient = Cheshire.Protos.Importer.Importer.ImporterClient;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>
/// Two nodes of one network, each a data folder with its own modules as processes: A's styx-provider publishes its
/// export through A's dht, A's styx-client serves it on its link port; B's dht joins A's, and B's styx-client resolves the
/// path, dials A and serves the export on its socket, where a 9P client reads A's file and writes one that lands on A's disk.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TwoNodesTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _salt = "two-nodes-" + Guid.NewGuid().ToString("N");
    private readonly List<ModuleProcess> _processes = [];
    private readonly List<string> _folders = [];

    private string NewFolder(string prefix)
    {
        var folder = ModuleProcess.NewTempDirectory(prefix);
        _folders.Add(folder);
        return folder;
    }

    private ModuleProcess Start(string folder, string assembly, string data, Dictionary<string, string> settings)
    {
        settings["Cheshire:Salt"] = _salt;
        settings["Logging:LogLevel:Default"] = "Warning";
        var process = ModuleProcess.Start(ModuleProcess.ModuleDll(folder, assembly), settings, data);
        _processes.Add(process);
        return process;
    }

    private async Task<ModuleProcess> StartDhtAsync(string data, int udp, string? bootstrap = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Dht:Address"] = "127.0.0.1",
            ["Dht:Port"] = udp.ToString(CultureInfo.InvariantCulture),
        };
        if (bootstrap is not null) settings["Dht:Bootstrap:0"] = bootstrap;
        var dht = Start("dht", "Cheshire.Dht", data, settings);
        using var channel = GrpcChannel.ForAddress(dht.GrpcAddress);
        var client = new DhtClient(channel);
        // A lone dht is Degraded, so its health is not the signal: its API answering is.
        await Eventually.SucceedsAsync(async () => await client.NodeInfoAsync(new Protos.Dht.NodeInfoRequest(),
            deadline: DateTime.UtcNow.AddSeconds(2)), Bound, "the dht answers", Ct);
        return dht;
    }

    [Fact]
    public async Task AnExportOfNodeAIsReadAndWrittenFromNodeB()
    {
        // Node A: dht, provider and client in one data folder (one node key: the dht signs what the link presents).
        var dataA = NewFolder("node-a");
        var music = NewFolder("music");
        await File.WriteAllTextAsync(Path.Combine(music, "song.txt"), "from node A\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dataA, "exports.json"),
            $$"""{ "/alice/music": { "server": "export", "root": {{JsonSerializer.Serialize(music)}}, "allow": ["*"] } }""", Ct);
        int udpA = FreePorts.Udp(), linkA = FreePorts.Tcp();
        var dhtA = await StartDhtAsync(dataA, udpA);
        var providerA = Start("styx-provider", "Cheshire.StyxProvider", dataA, new()
        {
            ["services:dht:grpc:0"] = dhtA.GrpcAddress.ToString().TrimEnd('/'),
            ["Provider:MountInNamespace"] = "false",
            ["Link:Advertise"] = $"127.0.0.1:{linkA}",
        });
        await providerA.WaitHealthyAsync(Bound, Ct);
        var clientA = Start("styx-client", "Cheshire.StyxClient", dataA, new()
        {
            ["services:dht:grpc:0"] = dhtA.GrpcAddress.ToString().TrimEnd('/'),
            ["services:styx-provider:grpc:0"] = providerA.GrpcAddress.ToString().TrimEnd('/'),
            ["Link:Endpoint"] = $"127.0.0.1:{linkA}",
        });

        // Node B: its own data folder, node and user; its dht joins A's.
        var dataB = NewFolder("node-b");
        var dhtB = await StartDhtAsync(dataB, FreePorts.Udp(), bootstrap: $"127.0.0.1:{udpA}");
        var clientB = Start("styx-client", "Cheshire.StyxClient", dataB, new()
        {
            ["services:dht:grpc:0"] = dhtB.GrpcAddress.ToString().TrimEnd('/'),
            ["Link:Endpoint"] = $"127.0.0.1:{FreePorts.Tcp()}",
        });
        await Task.WhenAll(clientA.WaitHealthyAsync(Bound, Ct), clientB.WaitHealthyAsync(Bound, Ct));

        using var channel = GrpcChannel.ForAddress(clientB.GrpcAddress);
        var importer = new ImporterClient(channel);
        // Publishing is asynchronous, and a miss is cached for a few seconds: ask until A's export is there.
        var reply = await Eventually.SucceedsAsync(async () =>
        {
            var answer = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/music/song.txt" }, deadline: DateTime.UtcNow.AddSeconds(20));
            return answer.Found ? answer : throw new InvalidOperationException(answer.NotFound);
        }, Bound, "A's export resolved on B", Ct);
        Assert.Equal(("/alice/music", Protos.Importer.EntryKind.Export, "/alice/music"), (reply.MountPath, reply.Kind, reply.MountAname));
        Assert.Equal([$"127.0.0.1:{linkA}"], reply.Addresses);

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(reply.MountAddress["unix:".Length..]), Ct);
        await using (var fs = await StyxFs.MountAsync(new NetworkStream(socket, ownsSocket: true), uname: "tester", aname: reply.MountAname, ct: Ct))
        {
            Assert.Equal("from node A\n", await fs.ReadTextAsync("song.txt", Ct));
            var directory = await fs.WalkAsync("", Ct);
            await fs.Client.LcreateAsync(directory, "from-b.txt", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
            await fs.Client.WriteAllAsync(directory, 0, "written on B\n"u8.ToArray(), Ct);
            await fs.Client.ClunkAsync(directory, Ct);
        }
        Assert.Equal("written on B\n", await File.ReadAllTextAsync(Path.Combine(music, "from-b.txt"), Ct));

        var import = Assert.Single((await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports);
        Assert.Equal(("/alice/music", "connected", $"127.0.0.1:{linkA}"), (import.Path, import.State, import.Address));
        Assert.True(import.BytesIn > 0);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_processes)) await process.DisposeAsync();
        foreach (var folder in _folders)
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}
