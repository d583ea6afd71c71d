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
        await publish.PutAsync("/", publish.Entry(_alice, "alice", EntryKind.Directory, addresses: [server.Address]));
        await publish.PutAsync("/alice", publish.Entry(_alice, "music", addresses: [server.Address]));

        await using var client = await StartAsync(ModuleProcess.ModuleDll("styx-client", "Cheshire.StyxClient"), new()
        {
            ["services:dht:grpc:0"] = fixture.Dht.GrpcAddress.ToString().TrimEnd('/'),
            ["Cheshire:Salt"] = _salt,
            ["Link:Endpoint"] = $"127.0.0.1:{FreePorts.Tcp()}",
        });
        var styxPort = FreePorts.Tcp();
        await using var root = await StartAsync(ModuleProcess.ModuleDll("styx-root", "Cheshire.StyxRoot"), new()
        {
            ["services:styx-client:grpc:0"] = client.GrpcAddress.ToString().TrimEnd('/'),
            ["Styx:Endpoint"] = $"127.0.0.1:{styxPort}",
        });

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, styxPort, Ct);
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
}
