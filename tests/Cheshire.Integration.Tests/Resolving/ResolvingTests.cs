using System.Diagnostics;
using Cheshire.Protos.Importer;
using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Integration.Tests.Resolving;

/// <summary>
/// B's styx-root over 9P, as a user on B sees the global namespace beside B's own exports: one /alice holding B's docs
/// and A's music, A's docs as docs@uid8, A's /tmp/notes as tmp@uid8 next to B's local /tmp; listing them dials no
/// link; with B's styx-client stopped, listings and walks answer at once and the remote names come back after it starts.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ResolvingTests(ResolvingNodes nodes) : IClassFixture<ResolvingNodes>
{
    private static readonly TimeSpan Bound = ResolvingNodes.Bound;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LsMinusLOfAParentOfRemoteExportsDialsNoLinkAndUnionConflictAndAliasReadEachTree()
    {
        try
        {
            await using var linux = await nodes.MountBAsync(Ct);
            await using var unix = await nodes.MountBAsync(Ct, DialectNames.Unix);
            // Publishing is asynchronous, and misses are cached for a few seconds: ask until B sees A's exports.
            var alice = await Eventually.SucceedsAsync(async () =>
            {
                var names = await linux.ListAsync("alice", Ct);
                return names.Contains("music") && names.Contains(nodes.TheirDocs) ? names : throw new InvalidOperationException(string.Join(" ", names));
            }, Bound, "B's /alice listing A's music and docs", Ct);
            Assert.Equal(new[] { "docs", "music", nodes.TheirDocs }.Order(StringComparer.Ordinal), alice.Order(StringComparer.Ordinal));

            // ls -l /alice: the directory read's stats (9P2000.u), then a walk and getattr of each name (what v9fs does).
            var stats = await StatsAsync(unix, "alice");
            Assert.Equal((nodes.UidA, StyxMode.Directory | 0x1ED), (stats["music"].Uid, stats["music"].Mode));
            Assert.Equal((nodes.UidA, StyxMode.Directory | 0x1ED), (stats[nodes.TheirDocs].Uid, stats[nodes.TheirDocs].Mode));
            foreach (var name in new[] { "music", nodes.TheirDocs })
            {
                var fid = await linux.WalkAsync("alice/" + name, Ct);
                var attributes = await linux.Client.GetattrAsync(fid, ct: Ct);
                await linux.Client.ClunkAsync(fid, Ct);
                Assert.Equal(UnixMode.Directory | 0x1ED, attributes.Mode);
                var ufid = await unix.WalkAsync("alice/" + name, Ct);
                Assert.Equal(nodes.UidA, (await unix.Client.StatAsync(ufid, Ct)).Uid);
                await unix.Client.ClunkAsync(ufid, Ct);
            }
            using var channel = GrpcChannel.ForAddress(nodes.ClientB.GrpcAddress);
            var importer = new Importer.ImporterClient(channel);
            var imports = (await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports;
            Assert.All(imports, i => Assert.Equal((i.Path, "idle", 0L, 0L), (i.Path, i.State, i.BytesIn, i.BytesOut)));

            // Walking into them: each name reaches its own tree; the local docs win the plain name.
            Assert.Equal("B's note\n", await linux.ReadTextAsync("alice/docs/note.txt", Ct));
            Assert.Equal("A's song\n", await linux.ReadTextAsync("alice/music/song.txt", Ct));
            Assert.Equal("A's note\n", await linux.ReadTextAsync($"alice/{nodes.TheirDocs}/note.txt", Ct));
            var music = Assert.Single((await importer.ListImportsAsync(new ListImportsRequest(), cancellationToken: Ct)).Imports,
                i => i.Path == "/alice/music");
            Assert.Equal("connected", music.State);
            Assert.True(music.BytesIn > 0);

            // A's /tmp/notes: B's own /tmp (a local tree) keeps the name, A's directory is tmp@uid8 (A is its only owner).
            var tmp = "tmp@" + nodes.UidA[..8];
            Assert.Contains(tmp, await linux.ListAsync("", Ct));
            Assert.Equal(["notes"], await linux.ListAsync(tmp, Ct));
            Assert.Equal("A's tmp note\n", await linux.ReadTextAsync($"{tmp}/notes/n.txt", Ct));
            Assert.Equal(Errno.ENOENT, (await Assert.ThrowsAsync<StyxErrorException>(() => linux.ListAsync("tmp/notes", Ct))).Errno);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n{nodes.Describe()}", e);
        }
    }

    [Fact]
    public async Task WithStyxClientStoppedLsAnswersAtOnceAndTheRemoteNamesComeBackWhenItStarts()
    {
        var tmp = "tmp@" + nodes.UidA[..8];
        try
        {
            await using var linux = await nodes.MountBAsync(Ct);
            await using var unix = await nodes.MountBAsync(Ct, DialectNames.Unix);
            await Eventually.TrueAsync(async () => (await linux.ListAsync("", Ct)).Contains(tmp), Bound, $"/ listing {tmp}", Ct);

            await nodes.ClientB.KillAsync();
            // An import another test walked into is mounted and stays listed; a name never walked needs styx-client.
            var unknown = "unheard-of-" + Guid.NewGuid().ToString("N")[..8];
            var first = Stopwatch.StartNew();
            await linux.ListAsync("", Ct);
            Assert.True(first.Elapsed < TimeSpan.FromSeconds(10), $"the first ls / took {first.Elapsed}");
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                var root = await linux.ListAsync("", Ct);
                Assert.Equal(["alice", "cheshire", "tmp"], root.Intersect(["alice", "cheshire", "tmp"]).Order(StringComparer.Ordinal));
                var error = await Assert.ThrowsAsync<StyxErrorException>(() => unix.ListAsync(unknown, Ct));
                Assert.Contains("styx-client is unavailable", error.Message, StringComparison.Ordinal);
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"ls / and a walk took {watch.Elapsed} with styx-client down");
            }

            await nodes.StartClientBAgainAsync(Ct);
            await Eventually.TrueAsync(async () => (await linux.ListAsync("", Ct)).Contains(tmp), Bound,
                $"/ listing {tmp} again once styx-client is back", Ct);
            Assert.Equal(["notes"], await linux.ListAsync(tmp, Ct));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new InvalidOperationException($"{e.Message}\n{nodes.Describe()}", e);
        }
    }

    private static async Task<Dictionary<string, StatEntry>> StatsAsync(StyxFs unix, string path)
    {
        var fid = await unix.WalkAsync(path, Ct);
        try
        {
            await unix.Client.OpenAsync(fid, StyxOpenMode.Read, Ct);
            return StatEntry.ReadDirectory(await unix.Client.ReadAllAsync(fid, Ct), Dialect.Unix).ToDictionary(e => e.Name);
        }
        finally
        {
            await unix.Client.ClunkAsync(fid, Ct);
        }
    }
}
