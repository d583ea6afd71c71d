using System.Net.Sockets;
using Cheshire.Identity;
using Cheshire.Protos;
using Cheshire.Protos.Importer;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using ImporterClient = Cheshire.Protos.Importer.Importer.ImporterClient;
using EntryKind = Cheshire.GlobalNamespace.EntryKind;
using ProtoKind = Cheshire.Protos.Importer.EntryKind;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>
/// styx-client as a process importing another node's exports: entries published in a real dht module for a link server,
/// Resolve through styx-client's gRPC API, and a 9P client on styx-client's Unix socket (as styx-root mounts it) reading
/// the remote files over one link to that node.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ImportTests(DhtFixture fixture) : IClassFixture<DhtFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly UserIdentity _alice = UserIdentity.Generate();
    private readonly string _salt = "import-test-" + Guid.NewGuid().ToString("N");
    private readonly DirectoryInfo _folders = Directory.CreateTempSubdirectory("cheshire-import-");

    private async Task<ModuleProcess> StartStyxClientAsync(Uri? dht = null)
    {
        var client = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-client", "Cheshire.StyxClient"), new Dictionary<string, string>
        {
            ["services:dht:grpc:0"] = (dht ?? fixture.Dht.GrpcAddress).ToString().TrimEnd('/'),
            ["Cheshire:Salt"] = _salt,
            ["Link:Endpoint"] = $"127.0.0.1:{FreePorts.Tcp()}",
            ["Logging:LogLevel:Cheshire.StyxClient.Imports"] = "Debug",
        });
        try
        {
            // Degraded while the dht it was given does not answer (the test without the dht).
            await client.WaitHealthyAsync(Bound, Ct, acceptDegraded: dht is not null);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private string Folder(string name, string file, string text)
    {
        var folder = _folders.CreateSubdirectory(name).FullName;
        File.WriteAllText(Path.Combine(folder, file), text);
        return folder;
    }

    private static async Task<StyxFs> MountAsync(ResolveReply reply, CancellationToken ct, string version = DialectNames.Linux)
    {
        Assert.StartsWith("unix:", reply.MountAddress);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(reply.MountAddress["unix:".Length..]), ct);
        return await StyxFs.MountAsync(new NetworkStream(socket, ownsSocket: true), uname: "tester", aname: reply.MountAname, version: version, ct: ct);
    }

    [Fact]
    public async Task AnExportFoundInTheDhtIsReadOverOneLinkThroughStyxClientsSocket()
    {
        await using var server = new TestLinkServer(fixture.Node, _alice, new Dictionary<string, string>
        {
            ["/alice/music"] = Folder("music", "song.txt", "la la la\n"),
            ["/alice/docs"] = Folder("docs", "readme", "read me first\n"),
        });
        var publish = new Publisher(fixture.Dht.Client, fixture.Node, _salt);
        await publish.PutAliceMusicAsync(_alice, server.Address);
        await publish.PutAsync("/alice", publish.Entry(_alice, "docs", addresses: ["127.0.0.1:1", server.Address]));

        await using var client = await StartStyxClientAsync();
        using var channel = GrpcChannel.ForAddress(client.GrpcAddress);
        var importer = new ImporterClient(channel);
        var clientUid = (await importer.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct)).Uid;

        // A path inside the export resolves to the export: the mount point, its owner and node, and where to mount it from.
        var music = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/music/song.txt" }, cancellationToken: Ct);
        Assert.True(music.Found, music.NotFound);
        Assert.Equal(("/alice/music", ProtoKind.Export, _alice.Uid, fixture.Node.NodeIdHex), (music.MountPath, music.Kind, music.OwnerUid, music.NodeId));
        Assert.Equal([server.Address], music.Addresses);
        Assert.Equal("/alice/music", music.MountAname);
        var socket = music.MountAddress["unix:".Length..];
        Assert.Equal(Path.Combine(client.DataDirectory, "styx-client.sock"), socket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));

        await using (var fs = await MountAsync(music, Ct))
            Assert.Equal("la la la\n", await fs.ReadTextAsync("song.txt", Ct));

        // A second export of the same node: its first address is dead, the second answers; the same link carries it.
        var docs = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/docs" }, cancellationToken: Ct);
        await using (var fs = await MountAsync(docs, Ct))
        {
            Assert.Equal(["readme"], await fs.ListAsync("", Ct));
            Assert.Equal("read me first\n", await fs.ReadTextAsync("readme", Ct));
        }
        Assert.Equal(1, server.Links);
        Assert.Equal([(clientUid, "/alice/music"), (clientUid, "/alice/docs")], server.Attaches.Distinct());

        var imports = (await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports;
        Assert.Equal(["/alice/docs", "/alice/music"], imports.Select(i => i.Path));
        Assert.All(imports, i =>
        {
            Assert.Equal((fixture.Node.NodeIdHex, _alice.Uid, "connected", server.Address), (i.NodeId, i.OwnerUid, i.State, i.Address));
            Assert.True(i.BytesIn > 0 && i.BytesOut > 0, $"bytes {i.BytesIn} in, {i.BytesOut} out");
            Assert.True(i.Latency.ToTimeSpan() > TimeSpan.Zero);
        });

        // The directory above lists both; a name nobody publishes is not found.
        var alice = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/" }, cancellationToken: Ct);
        Assert.Equal((true, ProtoKind.Directory, "/alice", ""), (alice.Found, alice.Kind, alice.Path, alice.MountAddress));
        Assert.Equal(["docs", "music"], alice.Children.Select(c => c.Label));
        var nobody = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/videos" }, cancellationToken: Ct);
        Assert.Equal((false, "nobody publishes /alice/videos"), (nobody.Found, nobody.NotFound));

        Assert.True((await importer.DropAsync(new DropRequest { Path = "/alice/docs" }, cancellationToken: Ct)).Dropped);
        Assert.False((await importer.DropAsync(new DropRequest { Path = "/alice/docs" }, cancellationToken: Ct)).Dropped);
        Assert.Equal(["/alice/music"], (await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports.Select(i => i.Path));
    }

    [Fact]
    public async Task AnAttachOfAPathNotResolvedYetResolvesItAndAnUnknownOneSaysWhy()
    {
        await using var server = new TestLinkServer(fixture.Node, _alice, new Dictionary<string, string>
        {
            ["/pictures"] = Folder("pictures", "cat.txt", "a grin without a cat\n"),
        });
        var publish = new Publisher(fixture.Dht.Client, fixture.Node, _salt);
        await publish.PutAsync("/", publish.Entry(_alice, "pictures", addresses: [server.Address]));
        await using var client = await StartStyxClientAsync();
        var socket = Path.Combine(client.DataDirectory, "styx-client.sock");
        await Eventually.SucceedsAsync(() => Task.FromResult(File.Exists(socket) ? true : throw new FileNotFoundException(socket)),
            Bound, "styx-client's socket", Ct);

        // As styx-root does after styx-client restarted: it mounts with the aname Resolve gave before.
        var reply = new ResolveReply { MountAddress = "unix:" + socket, MountAname = "/pictures" };
        await using (var fs = await MountAsync(reply, Ct))
            Assert.Equal("a grin without a cat\n", await fs.ReadTextAsync("cat.txt", Ct));

        // 9P2000.L carries only the errno (ENOENT); the reason is in styx-client's log.
        var missing = await Assert.ThrowsAsync<StyxErrorException>(() =>
            MountAsync(new ResolveReply { MountAddress = reply.MountAddress, MountAname = "/nowhere" }, Ct));
        Assert.Equal(Errno.ENOENT, missing.Errno);
        await Eventually.TrueAsync(() => Task.FromResult(client.Output.Contains("Attach of /nowhere refused: nobody publishes /nowhere", StringComparison.Ordinal)),
            Bound, "the refusal logged with its reason", Ct);

        // The socket speaks 9P2000.L only: it multiplexes frames onto a 9P2000.L link, so other versions are "unknown".
        var legacy = await Assert.ThrowsAsync<StyxErrorException>(() => MountAsync(reply, Ct, DialectNames.Unix));
        Assert.Equal("server does not speak 9P2000.u", legacy.Message);
    }

    [Theory]
    [InlineData("relative/path", "is absolute")]
    [InlineData("/a/./b", "'.' is not allowed")]
    [InlineData("", "A path is required")]
    public async Task ABadPathIsInvalidArgumentSayingWhy(string path, string why)
    {
        await using var client = await StartStyxClientAsync();
        using var channel = GrpcChannel.ForAddress(client.GrpcAddress);
        var importer = new ImporterClient(channel);
        var refused = await Assert.ThrowsAsync<RpcException>(() => importer.ResolveAsync(new ResolveRequest { Path = path }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains(why, refused.Status.Detail);
        var drop = await Assert.ThrowsAsync<RpcException>(() => importer.DropAsync(new DropRequest { Path = path }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, drop.StatusCode);
    }

    [Fact]
    public async Task WhenTheRemoteNodeRestartsTheNextWalkDialsAgainWithoutARemount()
    {
        var music = Folder("music", "song.txt", "before\n");
        var exports = new Dictionary<string, string> { ["/alice/music"] = music };
        var server = new TestLinkServer(fixture.Node, _alice, exports);
        try
        {
            var publish = new Publisher(fixture.Dht.Client, fixture.Node, _salt);
            await publish.PutAliceMusicAsync(_alice, server.Address);
            await using var client = await StartStyxClientAsync();
            using var channel = GrpcChannel.ForAddress(client.GrpcAddress);
            var importer = new ImporterClient(channel);
            var reply = await importer.ResolveAsync(new ResolveRequest { Path = "/alice/music" }, cancellationToken: Ct);

            // Mounted as styx-root mounts a unix: source: a remote tree that attaches at every walk into it.
            await using var mount = Cheshire.Styx.Remote.RemoteFileSystem.Create(
                Cheshire.Styx.Remote.RemoteFileSystem.UnixDialer(reply.MountAddress["unix:".Length..]), reply.MountAname, "tester");
            Assert.Equal("before\n", await ReadAsync(mount, "song.txt"));

            var port = server.Port;
            await server.DisposeAsync(); // node A goes away...
            // A request on the old link fails as the link ends; the next walk dials, fails with EIO, and the log says why.
            await Eventually.SucceedsAsync(async () =>
            {
                var failed = await Assert.ThrowsAsync<StyxErrorException>(() => ReadAsync(mount, "song.txt"));
                Assert.Equal(Errno.EIO, failed.Errno);
                return client.Output.Contains($"Attach of /alice/music refused: cannot link to node {fixture.Node.NodeIdHex}: 127.0.0.1:{port}: ",
                    StringComparison.Ordinal) ? true : throw new InvalidOperationException("no refusal saying it cannot link yet");
            }, Bound, "a walk that dials the node that is gone", Ct);
            Assert.Equal("failed", Assert.Single((await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports).State);

            await File.WriteAllTextAsync(Path.Combine(music, "song.txt"), "after\n", Ct);
            server = new TestLinkServer(fixture.Node, _alice, exports, port); // ...and comes back at the same address
            Assert.Equal("after\n", await ReadAsync(mount, "song.txt"));
            Assert.Equal(1, server.Links);
            Assert.Equal("connected", Assert.Single((await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports).State);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>A walk from the mount point and a read, as a 9P client's cat through styx-root does.</summary>
    private static async Task<string> ReadAsync(Cheshire.Styx.Remote.RemoteFileSystem mount, string name)
    {
        var root = await mount.AttachAsync(new Cheshire.Styx.FileSystem.AttachRequest("tester", mount.Aname, 0), Ct);
        var node = await root.LookupAsync(name, Ct);
        await using var file = await node.OpenAsync(new Cheshire.Styx.FileSystem.OpenOptions(Cheshire.Styx.FileSystem.OpenAccess.Read), Ct);
        var buffer = new byte[4096];
        return System.Text.Encoding.UTF8.GetString(buffer, 0, await file.ReadAsync(0, buffer, Ct));
    }

    [Fact]
    public async Task WithoutTheDhtResolveIsUnavailableAndAnAttachFailsSayingWhy()
    {
        await using var client = await StartStyxClientAsync(dht: new Uri($"http://127.0.0.1:{FreePorts.Tcp()}"));
        using var channel = GrpcChannel.ForAddress(client.GrpcAddress);
        var importer = new ImporterClient(channel);
        var refused = await Assert.ThrowsAsync<RpcException>(() =>
            importer.ResolveAsync(new ResolveRequest { Path = "/alice" }, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.StartsWith("the dht module cannot be asked: ", refused.Status.Detail);

        var reply = new ResolveReply { MountAddress = "unix:" + Path.Combine(client.DataDirectory, "styx-client.sock"), MountAname = "/alice" };
        var failed = await Assert.ThrowsAsync<StyxErrorException>(() => MountAsync(reply, Ct));
        Assert.Equal(Errno.EIO, failed.Errno);
        await Eventually.TrueAsync(() => Task.FromResult(client.Output.Contains("Attach of /alice refused: cannot resolve /alice: the dht module cannot be asked",
            StringComparison.Ordinal)), Bound, "the refusal logged with its reason", Ct);
    }

    public void Dispose()
    {
        _alice.Dispose();
        _folders.Delete(recursive: true);
    }
}
