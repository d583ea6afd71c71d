using System.Net;
using System.Net.Sockets;
using Cheshire.Identity;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using EntryKind = Cheshire.GlobalNamespace.EntryKind;

namespace Cheshire.StyxClient.Tests.Imports;

/// <summary>
/// The global namespace in styx-root's 9P tree: styx-root, styx-client and a dht module as processes, and another
/// node (a link server) whose exports are published in that dht. A user lists / and reads a remote file over 9P.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class StyxRootImportTests(DhtFixture fixture) : IClassFixture<DhtFixture>, IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly UserIdentity _alice = UserIdentity.Generate();
    private readonly string _salt = "styx-root-import-" + Guid.NewGuid().ToString("N");
    private readonly DirectoryInfo _folders = Directory.CreateTempSubdirectory("cheshire-root-import-");

    [Fact]
    public async Task RootListsTheRemoteNameAndARemoteFileReadsThroughStyxRoot()
    {
        var music = _folders.CreateSubdirectory("music").FullName;
        await File.WriteAllTextAsync(Path.Combine(music, "song.txt"), "la la la\n", Ct);
        await using var server = new TestLinkServer(fixture.Node, _alice, new Dictionary<string, string> { ["/alice/music"] = music });
        var publish = new Publisher(fixture.Dht.Client, fixture.Node, _salt);
        await publish.PutAliceMusicAsync(_alice, server.Address);

        await using var node = await StartClientAndRootAsync();
        var (client, root) = (node.Client, node.Root);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, node.StyxPort, Ct);
        await using var fs = await StyxFs.MountAsync(tcp.GetStream(), uname: "tester", ct: Ct);

        try
        {
            Assert.Equal(["cheshire", "tmp", "alice"], await fs.ListAsync("", Ct));
            Assert.Equal(["music"], await fs.ListAsync("alice", Ct));
            Assert.Equal("la la la\n", await fs.ReadTextAsync("alice/music/song.txt", Ct));
            Assert.Equal(["song.txt"], await fs.ListAsync("alice/music", Ct));
            Assert.Contains($"'import /alice/music from {fixture.Node.NodeIdHex}' /alice/music\n",
                await fs.ReadTextAsync("cheshire/mounts", Ct), StringComparison.Ordinal);
            Assert.Equal(1, server.Links);

            var missing = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ListAsync("nobody", Ct));
            Assert.Equal(Errno.ENOENT, missing.Errno);
            var bad = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ListAsync("bell\u0007name", Ct));
            Assert.Equal(Errno.EINVAL, bad.Errno);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\nstyx-root:\n{root.Output}\nstyx-client:\n{client.Output}", e);
        }
    }

    [Fact]
    public async Task AFileHeldOpenThroughStyxRootReadsOnAfterTheRemoteNodeRestarts()
    {
        var music = _folders.CreateSubdirectory("held").FullName;
        var content = System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 * 1024);
        await File.WriteAllBytesAsync(Path.Combine(music, "song.bin"), content, Ct);
        var exports = new Dictionary<string, string> { ["/alice/music"] = music };
        var server = new TestLinkServer(fixture.Node, _alice, exports);
        try
        {
            var publish = new Publisher(fixture.Dht.Client, fixture.Node, _salt);
            await publish.PutAliceMusicAsync(_alice, server.Address);
            await using var node = await StartClientAndRootAsync();
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, node.StyxPort, Ct);
            await using var fs = await StyxFs.MountAsync(tcp.GetStream(), uname: "tester", ct: Ct);

            uint fid = await fs.WalkAsync("alice/music/song.bin", Ct);
            await fs.Client.LopenAsync(fid, 0, Ct); // O_RDONLY
            var half = content.Length / 2;
            var first = new byte[half];
            Assert.Equal(half, await fs.Client.ReadAsync(fid, 0, first, Ct));

            var port = server.Port;
            await server.DisposeAsync(); // node A goes away with the file open on B...
            server = new TestLinkServer(fixture.Node, _alice, exports, port); // ...and comes back at the same address

            // The same fid, no remount: styx-root opens the file again over a new link and reads on at the offset.
            var rest = new byte[half];
            Assert.Equal(half, await fs.Client.ReadAsync(fid, (ulong)half, rest, Ct));
            Assert.Equal(content, first.Concat(rest).ToArray());
            Assert.Equal(1, server.Links);
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    /// <summary>styx-client on the fixture's dht and this test's salt, and styx-root on a free 9P port resolving through it.</summary>
    private async Task<ClientAndRoot> StartClientAndRootAsync()
    {
        var client = await StartAsync(ModuleProcess.ModuleDll("styx-client", "Cheshire.StyxClient"), new()
        {
            ["services:dht:grpc:0"] = fixture.Dht.GrpcAddress.ToString().TrimEnd('/'),
            ["Cheshire:Salt"] = _salt,
            ["Link:Endpoint"] = $"127.0.0.1:{FreePorts.Tcp()}",
        });
        try
        {
            var styxPort = FreePorts.Tcp();
            var root = await StartAsync(ModuleProcess.ModuleDll("styx-root", "Cheshire.StyxRoot"), new()
            {
                ["services:styx-client:grpc:0"] = client.GrpcAddress.ToString().TrimEnd('/'),
                ["Styx:Endpoint"] = $"127.0.0.1:{styxPort}",
            });
            return new ClientAndRoot(client, root, styxPort);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private static async Task<ModuleProcess> StartAsync(string dll, Dictionary<string, string> settings)
    {
        var module = ModuleProcess.Start(dll, settings);
        try
        {
            // styx-root is Degraded without a styx-provider (none runs here).
            await module.WaitHealthyAsync(Bound, Ct);
            return module;
        }
        catch
        {
            await module.DisposeAsync();
            throw;
        }
    }

    public void Dispose() => _folders.Delete(recursive: true);

    private sealed record ClientAndRoot(ModuleProcess Client, ModuleProcess Root, int StyxPort) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Root.DisposeAsync();
            await Client.DisposeAsync();
        }
    }
}
