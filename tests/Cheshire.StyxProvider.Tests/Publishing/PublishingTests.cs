using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Protos.Dht;
using Cheshire.StyxProvider.Tests.Control;
using Cheshire.Protos.Provider;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.StyxProvider.Tests.Publishing;

/// <summary>
/// styx-provider publishes the servers of its exports file in the global namespace through a real dht module, and
/// a reader verifies what a dht Get returns with EntryCodec as styx-client would.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PublishingTests : IDisposable
{
    private const string Salt = "publishing-test";
    private static readonly string[] Advertised = ["127.0.0.1:5660", "[::1]:5660"];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = ProviderNode.Bound;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-publishing-");

    private static Dictionary<string, string> Settings(string? lifetime = null)
    {
        var settings = new Dictionary<string, string> { ["Cheshire:Salt"] = Salt, ["Link:Advertise"] = string.Join(",", Advertised) };
        if (lifetime is not null) settings["Publishing:EntryLifetime"] = lifetime;
        return settings;
    }

    private string Exports(params (string Path, string? Allow)[] servers) =>
        "{\n" + string.Join(",\n", servers.Select(s =>
            $"  \"{s.Path}\": {{ \"server\": \"export\", \"root\": \"{_folder.FullName}\"{(s.Allow is null ? "" : $", \"allow\": {s.Allow}")} }}")) + "\n}\n";

    private static UserIdentity UserOf(ProviderNode node) =>
        UserIdentityStore.Load(Path.Combine(node.Provider.DataDirectory, UserIdentityStore.DefaultFileName));

    [Fact]
    public async Task ExportsArePublishedUnderTheirDirectoryKeysSealedUnlessAllowedAndWithdrawnWhenRemoved()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        await using var node = await ProviderNode.StartAsync(Exports(("/alice/music", "[\"*\"]"), ("/alice/private", null)), dht.GrpcAddress,
            more: Settings());
        using var user = UserOf(node);
        using var ownerKeys = OwnerEncryption.KeyPair(user);
        var ownerKey = ownerKeys.ExportPrivateKey();

        // Anyone: music in the clear, private present but sealed.
        var values = await Eventually.SucceedsAsync(async () =>
        {
            var found = await DhtReader.GetAsync(dht.Client, "/alice", Salt);
            return found.Count == 2 ? found : throw new InvalidOperationException($"{found.Count} values under /alice");
        }, Bound, "both exports under /alice", Ct);
        var music = Assert.Single(values.Select(v => DhtReader.Read(v, out _)).OfType<NamespaceEntry>());
        Assert.Equal(("music", EntryKind.Export, user.Uid), (music.Name, music.Kind, music.OwnerUid));
        Assert.Equal(Advertised, music.Addresses);
        Assert.Equal(NodeId.Hash(Convert.FromHexString(dht.Info.SigningKey)), music.NodeId);
        Assert.InRange(music.Expiry - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(61));
        var sealedValue = Assert.Single(values, v => v.Kind == ValueKind.Encrypted);
        Assert.False(sealedValue.Decrypted);
        Assert.Null(DhtReader.Read(sealedValue, out var whyNot));
        Assert.NotEmpty(whyNot);
        Assert.Equal([("music", EntryKind.Export)], await DhtReader.ListAsync(dht.Client, "/alice", Salt));

        // The owner, with the owner key: both.
        Assert.Equal([("music", EntryKind.Export), ("private", EntryKind.Export)],
            await DhtReader.ListAsync(dht.Client, "/alice", Salt, user.Uid, ownerKey));

        // The root lists alice once, as a directory in the clear (it leads to a public export); no control trees.
        Assert.Equal([("alice", EntryKind.Directory)], await DhtReader.ListAsync(dht.Client, "/", Salt));
        Assert.Single(await DhtReader.GetAsync(dht.Client, "/", Salt));

        // Another network sees nothing.
        Assert.Empty(await DhtReader.GetAsync(dht.Client, "/alice", "another-network"));
        Assert.Empty(await DhtReader.GetAsync(dht.Client, "/", "another-network"));

        // /alice/music leaves the file: its entry becomes Withdrawn with a higher seq; private stays.
        await File.WriteAllTextAsync(node.ExportsFile, Exports(("/alice/private", null)), Ct);
        var withdrawn = await Eventually.SucceedsAsync(async () =>
        {
            var entries = await DhtReader.EntriesAsync(dht.Client, "/alice", Salt);
            return entries.SingleOrDefault(e => e.Name == "music" && e.Kind == EntryKind.Withdrawn)
                ?? throw new InvalidOperationException("music is not withdrawn yet");
        }, Bound, "music withdrawn", Ct);
        Assert.True(withdrawn.Seq > music.Seq);
        Assert.Empty(await DhtReader.ListAsync(dht.Client, "/alice", Salt));
        Assert.Equal([("private", EntryKind.Export)], await DhtReader.ListAsync(dht.Client, "/alice", Salt, user.Uid, ownerKey));
        Assert.Contains("Withdrew /alice/music from the global namespace", node.Provider.Output);
    }

    [Fact]
    public async Task EntriesAreRepublishedBeforeTheyExpire()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        await using var node = await ProviderNode.StartAsync(Exports(("/shared", "[\"*\"]")), dht.GrpcAddress, more: Settings("00:00:10"));
        var first = await Eventually.SucceedsAsync(async () =>
            (await DhtReader.EntriesAsync(dht.Client, "/", Salt)).Single(), Bound, "/shared published", Ct);
        Assert.InRange(first.Expiry - DateTimeOffset.UtcNow, TimeSpan.Zero, TimeSpan.FromSeconds(10));

        var again = await Eventually.SucceedsAsync(async () =>
        {
            var entry = (await DhtReader.EntriesAsync(dht.Client, "/", Salt)).Single();
            return entry.Seq > first.Seq ? entry : throw new InvalidOperationException("not republished yet");
        }, Bound, "/shared republished", Ct);
        Assert.Equal(EntryKind.Export, again.Kind);
        Assert.True(again.Expiry > first.Expiry);
    }

    [Fact]
    public async Task ServersArePublishedOnceTheDhtComesUp()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        await dht.KillAsync();
        await using var node = await ProviderNode.StartAsync(Exports(("/late", "[\"*\"]")), dht.GrpcAddress, more: Settings());
        await Eventually.TrueAsync(() => Task.FromResult(node.Provider.Output.Contains("Cannot publish in the global namespace through the dht module")),
            Bound, "the provider says the dht is away", Ct);

        await dht.RestartAsync(Ct);
        var entry = await Eventually.SucceedsAsync(async () =>
            (await DhtReader.EntriesAsync(dht.Client, "/", Salt)).Single(), Bound, "/late published after the dht came up", Ct);
        Assert.Equal(("late", EntryKind.Export), (entry.Name, entry.Kind));
        Assert.False(node.Provider.HasExited);
    }

    [Fact]
    public async Task AServerRemovedWhileTheProviderWasStoppedIsWithdrawnWhenItStarts()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        await using var node = await ProviderNode.StartAsync(Exports(("/bob/a", "[\"*\"]"), ("/bob/b", "[\"*\"]")), dht.GrpcAddress, more: Settings());
        var before = await Eventually.SucceedsAsync(async () =>
        {
            var entries = await DhtReader.EntriesAsync(dht.Client, "/bob", Salt);
            return entries.Count == 2 ? entries : throw new InvalidOperationException($"{entries.Count} entries under /bob");
        }, Bound, "/bob/a and /bob/b published", Ct);

        await node.Provider.KillAsync();
        await File.WriteAllTextAsync(node.ExportsFile, Exports(("/bob/b", "[\"*\"]")), Ct);
        await node.RestartProviderAsync();

        var withdrawn = await Eventually.SucceedsAsync(async () =>
            (await DhtReader.EntriesAsync(dht.Client, "/bob", Salt)).SingleOrDefault(e => e.Name == "a" && e.Kind == EntryKind.Withdrawn)
                ?? throw new InvalidOperationException("/bob/a not withdrawn yet"), Bound, "/bob/a withdrawn after the restart", Ct);
        Assert.True(withdrawn.Seq > before.Single(e => e.Name == "a").Seq);
        Assert.Equal([("b", EntryKind.Export)], await DhtReader.ListAsync(dht.Client, "/bob", Salt));
    }

    [Fact]
    public async Task ChangesThroughTheApiArePublishedAtOnce()
    {
        await using var dht = await DhtModule.StartAsync(Ct);
        await using var node = await ProviderNode.StartAsync(Exports(("/dave/x", null)), dht.GrpcAddress, more: Settings());
        using var user = UserOf(node);
        using var ownerKeys = OwnerEncryption.KeyPair(user);
        await Eventually.TrueAsync(async () => (await DhtReader.ListAsync(dht.Client, "/dave", Salt, user.Uid, ownerKeys.ExportPrivateKey())).Count == 1,
            Bound, "/dave/x published for its owner", Ct);
        Assert.Empty(await DhtReader.ListAsync(dht.Client, "/dave", Salt));
        Assert.Empty(await DhtReader.ListAsync(dht.Client, "/", Salt)); // its ancestor is sealed too

        // Opened to everyone: the same child, now in the clear, and its ancestor with it.
        await node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/dave/x", Server = "export", Root = _folder.FullName, Allow = { "*" } },
        }, cancellationToken: Ct);
        await Eventually.TrueAsync(async () => (await DhtReader.ListAsync(dht.Client, "/dave", Salt)).SequenceEqual([("x", EntryKind.Export)]),
            Bound, "/dave/x readable by anyone", Ct);
        Assert.Equal([("dave", EntryKind.Directory)], await DhtReader.ListAsync(dht.Client, "/", Salt));

        // Removed: withdrawn, ancestor included.
        await node.Api.RemoveServerAsync(new RemoveServerRequest { Path = "/dave/x" }, cancellationToken: Ct);
        await Eventually.TrueAsync(async () => (await DhtReader.ListAsync(dht.Client, "/", Salt)).Count == 0,
            Bound, "/dave withdrawn from /", Ct);
        Assert.Empty(await DhtReader.ListAsync(dht.Client, "/dave", Salt));
        Assert.All(await DhtReader.EntriesAsync(dht.Client, "/", Salt), e => Assert.Equal(EntryKind.Withdrawn, e.Kind));
    }

    [Fact]
    public async Task ABadAllowIsRefusedInTheFileWithItsLineAndThroughTheApi()
    {
        await using var node = await ProviderNode.StartAsync(Exports(("/ok", "[\"*\"]")));
        var refused = await Assert.ThrowsAsync<RpcException>(() => node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/api", Server = "export", Root = _folder.FullName, Allow = { "*", "carol" } },
        }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal("\"/api\": key \"allow\": 'carol' is neither a user id (40 hex digits) nor \"*\".", refused.Status.Detail);

        await File.WriteAllTextAsync(node.ExportsFile,
            $"{{\n  \"/ok\": {{ \"server\": \"export\", \"root\": \"{_folder.FullName}\",\n    \"allow\": [\"carol\"] }}\n}}\n", Ct);
        var list = await Eventually.SucceedsAsync(async () =>
        {
            var reply = await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct);
            return reply.ConfigError.Length > 0 ? reply : throw new InvalidOperationException("not rejected yet");
        }, Bound, "the bad allow rejected", Ct);
        Assert.Equal($"{node.ExportsFile}:3: \"/ok\": key \"allow\": 'carol' is neither a user id (40 hex digits) nor \"*\".", list.ConfigError);
        var running = Assert.Single(list.Servers, s => !s.BuiltIn);
        Assert.Equal(["*"], running.Definition.Allow); // the running server keeps what the good file said
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
