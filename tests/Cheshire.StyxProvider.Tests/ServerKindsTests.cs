using System.Text;
using Cheshire.Protos.Provider;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests;

/// <summary>Each kind of server, configured in the exports file, used through styx-root as a user would.</summary>
public sealed class ServerKindsTests : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = ProviderNode.Bound;
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-kinds-");

    private static string Json(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    [Fact]
    public async Task AnExportedDirectoryIsReadAndWrittenThroughTheNamespace()
    {
        var music = _folder.CreateSubdirectory("music");
        await File.WriteAllTextAsync(Path.Combine(music.FullName, "song.txt"), "la la la\n", Ct);
        var readOnly = _folder.CreateSubdirectory("photos");
        await File.WriteAllTextAsync(Path.Combine(readOnly.FullName, "cat.jpg"), "meow", Ct);
        await using var node = await ProviderNode.StartAsync($$"""
            {
              "/alice/music": { "server": "export", "root": {{Json(music.FullName)}} },
              "/alice/photos": { "server": "export", "root": {{Json(readOnly.FullName)}}, "readOnly": true }
            }
            """);

        Assert.Equal("la la la\n", await Eventually.SucceedsAsync(() => node.ReadAsync("alice/music/song.txt", Ct), Bound, "exported file", Ct));
        await using var fs = await node.MountAsync(Ct);
        Assert.Equal(["music", "photos"], (await fs.ListAsync("alice", Ct)).Order());

        var dir = await fs.WalkAsync("alice/music", Ct);
        await fs.Client.LcreateAsync(dir, "new.txt", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        await fs.Client.WriteAllAsync(dir, 0, "written through 9P\n"u8.ToArray(), Ct);
        await fs.Client.ClunkAsync(dir, Ct);
        Assert.Equal("written through 9P\n", await File.ReadAllTextAsync(Path.Combine(music.FullName, "new.txt"), Ct));

        var photos = await fs.WalkAsync("alice/photos", Ct);
        var refused = await Assert.ThrowsAsync<StyxErrorException>(() => fs.Client.LcreateAsync(photos, "x", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct));
        Assert.Equal(Errno.EROFS, refused.Errno);
        Assert.Equal("meow", await fs.ReadTextAsync("alice/photos/cat.jpg", Ct));
        Assert.False(File.Exists(Path.Combine(readOnly.FullName, "x")));
    }

    [Fact]
    public async Task ScriptsServeTheirTreesAndAHangingOneIsStoppedWhileTheRestServes()
    {
        var samples = Path.Combine(ModuleProcess.RepositoryRoot, "services", "styx-provider", "samples");
        var hang = Path.Combine(_folder.FullName, "hang.js");
        await File.WriteAllTextAsync(hang, """
            function stat(path) { return path === "/" ? { type: "dir" } : { type: "file", length: 1 }; }
            function readdir(path) { return ["forever", "hog"]; }
            function read(handle, offset, count) {
              if (handle.path === "/hog") { const a = []; while (true) a.push(new Array(100000).fill(1)); }
              while (true) {}
            }
            """, Ct);
        await using var node = await ProviderNode.StartAsync($$"""
            {
              "/clock": { "server": "js", "script": {{Json(Path.Combine(samples, "clock.js"))}} },
              "/kv": { "server": "js", "script": {{Json(Path.Combine(samples, "kv.js"))}} },
              "/hang": { "server": "js", "script": {{Json(hang)}} }
            }
            """);

        var time = DateTimeOffset.Parse(await Eventually.SucceedsAsync(() => node.ReadAsync("clock/time", Ct), Bound, "clock.js", Ct));
        Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));

        await using var fs = await node.MountAsync(Ct);
        var kv = await fs.WalkAsync("kv", Ct);
        await fs.Client.LcreateAsync(kv, "colour", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        await fs.Client.WriteAllAsync(kv, 0, "blue"u8.ToArray(), Ct);
        await fs.Client.ClunkAsync(kv, Ct);
        Assert.Equal("blue", await fs.ReadTextAsync("kv/colour", Ct));
        Assert.Contains("colour", await fs.ListAsync("kv", Ct));

        foreach (var file in new[] { "hang/forever", "hang/hog" })
        {
            var stopped = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadAsync(file, Ct));
            Assert.NotEqual(Errno.EIO, stopped.Errno); // a limit's own errno, not a dead connection
        }
        Assert.Equal("blue", await fs.ReadTextAsync("kv/colour", Ct));
        Assert.Equal(25, Encoding.UTF8.GetByteCount(await fs.ReadTextAsync("clock/time", Ct)));
        Assert.False(node.Provider.HasExited);
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
