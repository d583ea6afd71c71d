using System.Text;
using Cheshire.Protos.Namespace;
using Cheshire.Protos.Provider;
using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests.Delegation;

/// <summary>
/// Export servers handed to styx-root as descriptors (Provider:DelegateExports, on by default): styx-root serves the
/// directory itself, with the provider's confinement and read-only decisions, and follows the provider's configuration.
/// </summary>
public sealed class DelegatedExportTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = ProviderNode.Bound;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-delegated-");

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string FdSocket(ProviderNode node) => Path.Combine(node.Provider.DataDirectory, "styx-provider.fd.sock");

    private static async Task<MountEntry?> MountAtAsync(ProviderNode node, string path) =>
        (await node.Namespace.ListMountsAsync(new ListMountsRequest(), cancellationToken: Ct)).Mounts.SingleOrDefault(m => m.Path == path);

    private static Task<MountEntry> MountedAsync(ProviderNode node, string path, string source) =>
        Eventually.SucceedsAsync(async () =>
        {
            var mount = await MountAtAsync(node, path);
            return mount?.Source == source ? mount : throw new InvalidOperationException($"{path} is mounted as '{mount?.Source}'");
        }, Bound, $"{path} mounted as {source}", Ct);

    [Fact]
    public async Task AnExportIsServedByStyxRootItselfAndListedAsDelegated()
    {
        var home = _folder.CreateSubdirectory("home");
        await File.WriteAllTextAsync(Path.Combine(home.FullName, "a.txt"), "alpha\n", Ct);
        await using var node = await ProviderNode.StartAsync($$"""{ "/home/me": { "server": "export", "root": {{Json(home.FullName)}} } }""");

        var mount = await MountedAsync(node, "/home/me", $"delegated unix!{FdSocket(node)} /home/me: export {home.FullName}");
        await using var fs = await node.MountAsync(Ct);
        Assert.Contains($"'delegated unix!{FdSocket(node)} /home/me: export {home.FullName}' /home/me", await fs.ReadTextAsync("cheshire/mounts", Ct));
        // The built-in control trees stay relayed over 9P.
        Assert.StartsWith("9p unix!", (await MountAtAsync(node, "/dht"))!.Source);

        Assert.Equal("alpha\n", await fs.ReadTextAsync("home/me/a.txt", Ct));
        var dir = await fs.WalkAsync("home/me", Ct);
        await fs.Client.LcreateAsync(dir, "b.txt", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        await fs.Client.WriteAllAsync(dir, 0, "bravo\n"u8.ToArray(), Ct);
        await fs.Client.ClunkAsync(dir, Ct);
        Assert.Equal("bravo\n", await File.ReadAllTextAsync(Path.Combine(home.FullName, "b.txt"), Ct));

        await fs.WriteTextAsync("home/me/a.txt", "ALPHA\n", Ct);
        Assert.Equal("ALPHA\n", await File.ReadAllTextAsync(Path.Combine(home.FullName, "a.txt"), Ct));
        var me = await fs.WalkAsync("home/me", Ct);
        await fs.Client.MkdirAsync(me, "sub", 0x1ED, ct: Ct);
        var sub = await fs.WalkAsync("home/me/sub", Ct);
        await fs.Client.RenameatAsync(me, "b.txt", sub, "c.txt", Ct);
        Assert.False(File.Exists(Path.Combine(home.FullName, "b.txt")));
        Assert.Equal("bravo\n", await File.ReadAllTextAsync(Path.Combine(home.FullName, "sub", "c.txt"), Ct));
        await fs.Client.UnlinkatAsync(sub, "c.txt", ct: Ct);
        Assert.False(File.Exists(Path.Combine(home.FullName, "sub", "c.txt")));
        Assert.Equal(["a.txt", "sub"], (await fs.ListAsync("home/me", Ct)).Order());

        // No hop through the provider: with the provider stopped, styx-root still serves the directory it was handed.
        await node.Provider.StopAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ALPHA\n", await fs.ReadTextAsync("home/me/a.txt", Ct));
        Assert.Equal(mount.Id, (await MountAtAsync(node, "/home/me"))!.Id);
    }

    [Fact]
    public async Task NothingOutsideTheExportIsReachedThroughStyxRoot()
    {
        var inside = _folder.CreateSubdirectory("inside");
        var outside = _folder.CreateSubdirectory("outside");
        await File.WriteAllTextAsync(Path.Combine(outside.FullName, "secret"), "SECRET", Ct);
        await File.WriteAllTextAsync(Path.Combine(inside.FullName, "f"), "inside", Ct);
        File.CreateSymbolicLink(Path.Combine(inside.FullName, "absdir"), outside.FullName);
        File.CreateSymbolicLink(Path.Combine(inside.FullName, "reldir"), "../outside");
        File.CreateSymbolicLink(Path.Combine(inside.FullName, "absfile"), Path.Combine(outside.FullName, "secret"));
        await using var node = await ProviderNode.StartAsync($$"""{ "/x": { "server": "export", "root": {{Json(inside.FullName)}} } }""");
        await MountedAsync(node, "/x", $"delegated unix!{FdSocket(node)} /x: export {inside.FullName}");
        await using var fs = await node.MountAsync(Ct);

        // ".." at the export's root is the namespace's "/", not the directory above the export.
        var up = await fs.WalkAsync("x/..", Ct);
        Assert.Equal((await fs.Client.GetattrAsync(fs.Root, ct: Ct)).Qid, (await fs.Client.GetattrAsync(up, ct: Ct)).Qid);
        await Assert.ThrowsAnyAsync<Exception>(() => fs.WalkAsync("x/../outside/secret", Ct));
        foreach (var path in new[] { "x/absdir/secret", "x/reldir/secret" })
            await Assert.ThrowsAsync<StyxErrorException>(() => fs.WalkAsync(path, Ct));
        await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadAsync("x/absfile", Ct));

        var x = await fs.WalkAsync("x", Ct);
        var link = await fs.WalkAsync("x/absdir", Ct);
        var f = await fs.WalkAsync("x/f", Ct);
        Assert.NotEqual(Errno.None, await ErrnoOf(() => fs.Client.LcreateAsync(link, "new", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct)));
        Assert.NotEqual(Errno.None, await ErrnoOf(() => fs.Client.RenameatAsync(x, "f", link, "moved", Ct)));
        Assert.NotEqual(Errno.None, await ErrnoOf(() => fs.Client.LinkAsync(link, f, "linked", Ct)));
        Assert.NotEqual(Errno.None, await ErrnoOf(() => fs.Client.RenameatAsync(x, "f", x, "../moved", Ct)));
        Assert.NotEqual(Errno.None, await ErrnoOf(() => fs.Client.SymlinkAsync(link, "s", "/etc/passwd", ct: Ct)));

        Assert.Equal(["secret"], Directory.GetFileSystemEntries(outside.FullName).Select(Path.GetFileName));
        Assert.Equal("SECRET", await File.ReadAllTextAsync(Path.Combine(outside.FullName, "secret"), Ct));
        Assert.Equal("inside", await File.ReadAllTextAsync(Path.Combine(inside.FullName, "f"), Ct));
        Assert.False(File.Exists(Path.Combine(_folder.FullName, "moved")));
    }

    [Fact]
    public async Task ReadOnlyIsHonouredAndConfigurationChangesReplaceOrRemoveTheMount()
    {
        var docs = _folder.CreateSubdirectory("docs");
        await File.WriteAllTextAsync(Path.Combine(docs.FullName, "d.txt"), "doc\n", Ct);
        await using var node = await ProviderNode.StartAsync(
            $$"""{ "/docs": { "server": "export", "root": {{Json(docs.FullName)}}, "readOnly": true } }""");
        await MountedAsync(node, "/docs", $"delegated unix!{FdSocket(node)} /docs: export {docs.FullName} (read-only)");

        await using (var fs = await node.MountAsync(Ct))
        {
            Assert.Equal("doc\n", await fs.ReadTextAsync("docs/d.txt", Ct));
            var dir = await fs.WalkAsync("docs", Ct);
            Assert.Equal(Errno.EROFS, await ErrnoOf(() => fs.Client.LcreateAsync(dir, "new", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct)));
            Assert.Equal(Errno.EROFS, await ErrnoOf(() => fs.WriteTextAsync("docs/d.txt", "changed", Ct)));
            var dir2 = await fs.WalkAsync("docs", Ct);
            Assert.Equal(Errno.EROFS, await ErrnoOf(() => fs.Client.UnlinkatAsync(dir2, "d.txt", ct: Ct)));
            Assert.Equal(Errno.EROFS, await ErrnoOf(() => fs.Client.MkdirAsync(dir2, "m", 0x1ED, ct: Ct)));
        }
        Assert.Equal(["d.txt"], Directory.GetFileSystemEntries(docs.FullName).Select(Path.GetFileName));
        Assert.Equal("doc\n", await File.ReadAllTextAsync(Path.Combine(docs.FullName, "d.txt"), Ct));

        // Made writable in the file: the delegated mount is replaced, and writes go through.
        await File.WriteAllTextAsync(node.ExportsFile, $$"""{ "/docs": { "server": "export", "root": {{Json(docs.FullName)}} } }""", Ct);
        await MountedAsync(node, "/docs", $"delegated unix!{FdSocket(node)} /docs: export {docs.FullName}");
        await using (var fs = await node.MountAsync(Ct))
            await fs.WriteTextAsync("docs/d.txt", "changed\n", Ct);
        Assert.Equal("changed\n", await File.ReadAllTextAsync(Path.Combine(docs.FullName, "d.txt"), Ct));

        // Removed through the API: gone from styx-root.
        await node.Api.RemoveServerAsync(new RemoveServerRequest { Path = "/docs" }, cancellationToken: Ct);
        await Eventually.TrueAsync(async () => await MountAtAsync(node, "/docs") is null, Bound, "/docs unmounted", Ct);
        await using (var fs = await node.MountAsync(Ct))
            await Assert.ThrowsAnyAsync<Exception>(() => fs.ReadTextAsync("docs/d.txt", Ct));
    }

    [Fact]
    public async Task WithDelegationOffExportsAreRelayedAndComeBackAfterRestarts()
    {
        var dir = _folder.CreateSubdirectory("relayed");
        await File.WriteAllTextAsync(Path.Combine(dir.FullName, "r.txt"), "relayed\n", Ct);
        await using var node = await ProviderNode.StartAsync($$"""{ "/r": { "server": "export", "root": {{Json(dir.FullName)}} } }""",
            more: new Dictionary<string, string> { ["Provider:DelegateExports"] = "false" });
        await MountedAsync(node, "/r", $"9p unix!{Path.Combine(node.Provider.DataDirectory, "styx-provider.sock")} /r");
        Assert.Equal("relayed\n", await node.ReadAsync("r/r.txt", Ct));
        Assert.False(File.Exists(FdSocket(node)), "no descriptor socket while delegation is off");
    }

    [Fact]
    public async Task ADelegatedExportComesBackAfterStyxRootRestarts()
    {
        var dir = _folder.CreateSubdirectory("back");
        await File.WriteAllTextAsync(Path.Combine(dir.FullName, "b.txt"), "back\n", Ct);
        await using var node = await ProviderNode.StartAsync($$"""{ "/b": { "server": "export", "root": {{Json(dir.FullName)}} } }""");
        var source = $"delegated unix!{FdSocket(node)} /b: export {dir.FullName}";
        await MountedAsync(node, "/b", source);

        await node.RestartRootAsync();
        await MountedAsync(node, "/b", source);
        Assert.Equal("back\n", await node.ReadAsync("b/b.txt", Ct));

        // The provider restarts with the export gone from its file: styx-root's delegated mount goes too.
        await node.Provider.StopAsync(TimeSpan.FromSeconds(10));
        await File.WriteAllTextAsync(node.ExportsFile, "{}", Ct);
        await node.RestartProviderAsync();
        await Eventually.TrueAsync(async () => await MountAtAsync(node, "/b") is null, Bound, "/b unmounted after the provider restarted without it", Ct);
    }

    private static async Task<Errno> ErrnoOf(Func<Task> call)
    {
        try
        {
            await call();
            return Errno.None;
        }
        catch (StyxErrorException e)
        {
            return e.Errno;
        }
    }

    public void Dispose() => _folder.Delete(recursive: true);

    internal static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
