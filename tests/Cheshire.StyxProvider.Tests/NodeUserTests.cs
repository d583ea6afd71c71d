using Cheshire.Identity;
using Cheshire.Protos;
using Cheshire.Protos.Provider;
using Cheshire.Testing;
using Grpc.Core;

namespace Cheshire.StyxProvider.Tests;

/// <summary>
/// Every server is owned by the node's user (the uid of its user key): a uid left out means that user, another uid is
/// refused through the file and the API alike, and one user key can serve several nodes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeUserTests : IDisposable
{
    private const string OtherUid = "0123456789abcdef0123456789abcdef01234567";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = ProviderNode.Bound;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-node-user-");

    private string Export(string path, string? uid = null) =>
        $"\"{path}\": {{ \"server\": \"export\", \"root\": \"{_folder.FullName}\"{(uid is null ? "" : $", \"uid\": \"{uid}\"")} }}";

    private static string NotTheNodesUser(string path, string uid, string nodeUid) =>
        $"\"{path}\": key \"uid\": '{uid}' is not this node's user {nodeUid}: a node serves only its own user's servers. " +
        "Leave \"uid\" out (it then means the node's user), or give this node that user's key (see the README).";

    [Fact]
    public async Task AServerWithoutUidIsTheNodeUsersAndAnotherUsersIsRefused()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder.FullName, "f"), "mine\n", Ct);
        await using var node = await ProviderNode.StartAsync($"{{ {Export("/mine")} }}");
        var uid = node.DefaultUserUid;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(node.Provider.DataDirectory, UserIdentityStore.DefaultFileName)));

        var info = await node.Api.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct);
        Assert.Equal(uid, info.Uid);
        Assert.NotEqual(info.NodeId, info.Uid); // the user key is not the node key
        var mine = Assert.Single((await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct)).Servers, s => !s.BuiltIn);
        Assert.Equal(("/mine", uid), (mine.Definition.Path, mine.Definition.Uid));
        Assert.Equal("mine\n", await Eventually.SucceedsAsync(() => node.ReadAsync("mine/f", Ct), Bound, "/mine in the namespace", Ct));

        // The API: another user's uid is refused, none means the node's user (and stays out of the file), the node's own is taken.
        var refused = await Assert.ThrowsAsync<RpcException>(() => node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/theirs", Server = "export", Root = _folder.FullName, Uid = OtherUid },
        }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Equal(NotTheNodesUser("/theirs", OtherUid, uid), refused.Status.Detail);

        var added = await node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/api", Server = "export", Root = _folder.FullName },
        }, cancellationToken: Ct);
        Assert.Equal(uid, added.Definition.Uid);
        var named = await node.Api.AddServerAsync(new AddServerRequest
        {
            Server = new Protos.Provider.ServerDefinition { Path = "/named", Server = "export", Root = _folder.FullName, Uid = uid.ToUpperInvariant() },
        }, cancellationToken: Ct);
        Assert.Equal(uid, named.Definition.Uid);
        var file = await File.ReadAllTextAsync(node.ExportsFile, Ct);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(file, "\"uid\""));
        Assert.Contains($"\"uid\": \"{uid}\"", file);

        // The file: one entry of another user rejects it whole, naming the line, the key and the node's uid.
        await File.WriteAllTextAsync(node.ExportsFile, $"{{\n  {Export("/mine")},\n  {Export("/theirs", OtherUid)}\n}}", Ct);
        var list = await Eventually.SucceedsAsync(async () =>
        {
            var reply = await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct);
            return reply.ConfigError.Length > 0 ? reply : throw new InvalidOperationException("not rejected yet");
        }, Bound, "the file naming another user rejected", Ct);
        Assert.Equal($"{node.ExportsFile}:3: {NotTheNodesUser("/theirs", OtherUid, uid)}", list.ConfigError);
        Assert.Equal(["/api", "/mine", "/named"], list.Servers.Where(s => !s.BuiltIn).Select(s => s.Definition.Path).Order());
        Assert.Contains(uid, node.Provider.Output); // the log names whom the node serves, never the key
        Assert.DoesNotContain(SeedOf(Path.Combine(node.Provider.DataDirectory, UserIdentityStore.DefaultFileName)), node.Provider.Output);
    }

    [Fact]
    public async Task OneUserKeyServesSeveralNodes()
    {
        var key = Path.Combine(_folder.FullName, "keys", "alice.key");
        string alice;
        using (var user = UserIdentityStore.LoadOrCreate(key))
            alice = user.Uid;

        await using var first = await ProviderNode.StartAsync($"{{ {Export("/a", alice)} }}", userKey: key);
        await using var second = await ProviderNode.StartAsync($"{{ {Export("/b", alice)} }}", userKey: key);

        foreach (var node in new[] { first, second })
        {
            Assert.Equal(alice, (await node.Api.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct)).Uid);
            var list = await node.Api.ListServersAsync(new ListServersRequest(), cancellationToken: Ct);
            Assert.Equal("", list.ConfigError);
            Assert.Equal(alice, Assert.Single(list.Servers, s => !s.BuiltIn).Definition.Uid);
            Assert.False(File.Exists(Path.Combine(node.Provider.DataDirectory, UserIdentityStore.DefaultFileName)));
        }
        Assert.NotEqual((await first.Api.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct)).NodeId,
            (await second.Api.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct)).NodeId);
    }

    [Fact]
    public async Task AUserKeyOthersCanReadStopsTheProvider()
    {
        var key = Path.Combine(_folder.FullName, "user.key");
        using (UserIdentityStore.LoadOrCreate(key)) { }
        File.SetUnixFileMode(key, (UnixFileMode)0b110_100_100); // 0644, as a careless copy leaves it

        await using var provider = ModuleProcess.Start(ModuleProcess.ModuleDll("styx-provider", "Cheshire.StyxProvider"),
            new Dictionary<string, string> { [UserIdentityStore.ConfigurationKey] = key, ["Provider:MountInNamespace"] = "false" });

        Assert.NotEqual(0, await provider.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"{key}: permissions 0644 are too open: a user key must be readable by its owner only. Run chmod 600 '{key}'", provider.Output);
        Assert.DoesNotContain(SeedOf(key), provider.Output);
    }

    private static string SeedOf(string keyFile) => File.ReadAllLines(keyFile)[1];

    public void Dispose() => _folder.Delete(recursive: true);
}
