using System.Net.Sockets;
using System.Text.Json;
using Cheshire.Protos.Importer;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Grpc.Net.Client;
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

    private readonly ModuleNetwork _network = new("two-nodes");

    [Fact]
    public async Task AnExportOfNodeAIsReadAndWrittenFromNodeB()
    {
        // Node A: dht, provider and client in one data folder (one node key: the dht signs what the link presents).
        var music = _network.NewFolder("music");
        await File.WriteAllTextAsync(Path.Combine(music, "song.txt"), "from node A\n", Ct);
        var nodeA = await _network.StartExportingNodeAsync(
            $$"""{ "/alice/music": { "server": "export", "root": {{JsonSerializer.Serialize(music)}}, "allow": ["*"] } }""", Bound, Ct);
        // Node B: its own data folder, node and user; its dht joins A's.
        var nodeB = await _network.StartImportingNodeAsync(nodeA.DhtEndpoint, Bound, Ct);

        using var channel = GrpcChannel.ForAddress(nodeB.Client.GrpcAddress);
        var importer = new ImporterClient(channel);
        // Publishing is asynchronous, and a miss is cached for a few seconds: ask until A's export is there.
        var reply = await Eventually.SucceedsAsync(async () =>
        {
            var answer = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/music/song.txt" }, deadline: DateTime.UtcNow.AddSeconds(20));
            return answer.Found ? answer : throw new InvalidOperationException(answer.NotFound);
        }, Bound, "A's export resolved on B", Ct);
        Assert.Equal(("/alice/music", Protos.Importer.EntryKind.Export, "/alice/music"), (reply.MountPath, reply.Kind, reply.MountAname));
        Assert.Equal([nodeA.LinkAddress], reply.Addresses);

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
        Assert.Equal(("/alice/music", "connected", nodeA.LinkAddress), (import.Path, import.State, import.Address));
        Assert.True(import.BytesIn > 0);
    }

    public ValueTask DisposeAsync() => _network.DisposeAsync();
}
