using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Cheshire.Interop.Tests.Harness;
using Cheshire.Testing;

namespace Cheshire.Interop.Tests;

/// <summary>
/// plan9port's 9pfuse (a FUSE client speaking plain 9P2000, trusting the length in stat and the qid path as the
/// inode number) mounting styx-root's namespace on this machine, where styx-provider mounts an exported temp folder
/// (/home/export), samples/clock.js (/clock) and a dht's /dht. Used as a user would: cat, find, ls, cp, mv and
/// System.IO on the mount. Skipped when 9pfuse is not built (README.md in this folder).
/// </summary>
public sealed partial class FuseClientTests(FuseMountedNode mounted) : IClassFixture<FuseMountedNode>
{
    [Theory]
    [InlineData("cheshire/node")]
    [InlineData("cheshire/key")]
    [InlineData("cheshire/version")]
    [InlineData("cheshire/mounts")]
    [InlineData("dht/node")]
    public async Task CatOfASyntheticFileShowsWhatTheProjectsClientReads(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, fuse) = mounted.Require();
        await using var client = await node.MountAsync();
        var expected = await client.ReadTextAsync(path, ct);
        Assert.False(string.IsNullOrWhiteSpace(expected), $"the project's client read nothing from /{path}");

        var cat = await RunAsync(fuse, "cat \"$M/$F\"", ct, ("F", path));
        Assert.True(cat.ExitCode == 0, $"cat /{path}: {cat}");
        Assert.Equal(expected, cat.Output);
        var size = await RunAsync(fuse, "stat -c %s \"$M/$F\"", ct, ("F", path));
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(expected).ToString(System.Globalization.CultureInfo.InvariantCulture), size.Output.Trim());
    }

    [Fact]
    public async Task CatOfTheClockScriptAndUptimeShowTheirValues()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, fuse) = mounted.Require();

        var clock = await RunAsync(fuse, "cat \"$M/clock/time\"", ct);
        Assert.True(clock.ExitCode == 0, $"cat /clock/time: {clock}");
        Assert.Matches(IsoTime(), clock.Output.Trim());
        Assert.InRange(DateTimeOffset.Parse(clock.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddMinutes(1));

        var uptime = await RunAsync(fuse, "cat \"$M/cheshire/uptime\"", ct);
        Assert.True(uptime.ExitCode == 0, $"cat /cheshire/uptime: {uptime}");
        Assert.Matches("^[0-9]+\n?$", uptime.Output);

        var write = await RunAsync(fuse, "echo x > \"$M/clock/time\"", ct);
        Assert.True(write.ExitCode != 0, $"writing the read-only /clock/time succeeded: {write}");
    }

    [Fact]
    public async Task DhtCtlTakesAPutAndGetShowsTheValue()
    {
        var ct = TestContext.Current.CancellationToken;
        var (_, fuse) = mounted.Require();

        var put = await RunAsync(fuse, "echo 'put fuse-key fuse-value' > \"$M/dht/ctl\"", ct);
        Assert.True(put.ExitCode == 0, $"put through /dht/ctl: {put}\n{mounted.Describe()}");
        var get = await RunAsync(fuse, "cat \"$M/dht/get/fuse-key\"", ct);
        Assert.True(get.ExitCode == 0, $"cat /dht/get/fuse-key: {get}");
        Assert.EndsWith(" fuse-value", get.Output.Trim());
    }

    [Fact]
    public async Task FindWalksTheWholeNamespaceWithoutALoop()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, fuse) = mounted.Require();
        var tree = Path.Combine(node.ExportDir, "find");
        Directory.CreateDirectory(Path.Combine(tree, "a", "b"));
        await File.WriteAllTextAsync(Path.Combine(tree, "a", "b", "deep.txt"), "deep", ct);
        await File.WriteAllTextAsync(Path.Combine(tree, "top.txt"), "top", ct);

        var find = await RunAsync(fuse, "cd \"$M\" && find . -printf '%y %i %p\\n'", ct);
        Assert.True(find.ExitCode == 0 && find.Error.Length == 0, $"find over the mount: {find}");
        var entries = find.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ', 3)).ToList();
        var paths = entries.Select(e => e[2]).ToHashSet();
        foreach (var expected in new[]
                 {
                     "./cheshire/node", "./clock/time", "./dht/node",
                     "./home/export/find/top.txt", "./home/export/find/a/b/deep.txt",
                 })
        {
            Assert.True(paths.Contains(expected), $"find did not list {expected}:\n{find.Output}");
        }
        var directories = entries.Where(e => e[0] == "d").ToList();
        var shared = directories.GroupBy(e => e[1]).Where(g => g.Count() > 1).Select(g => string.Join(", ", g.Select(e => e[2]))).ToList();
        Assert.True(shared.Count == 0, $"directories sharing an inode number (qid path): {string.Join("; ", shared)}");
    }

    [Fact]
    public async Task FilesInTheExportAreWrittenReadAppendedMovedAndRemoved()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, fuse) = mounted.Require();
        var dir = Path.Combine(fuse.MountPoint, "home", "export", "ops");
        var host = Path.Combine(node.ExportDir, "ops");

        Directory.CreateDirectory(dir);
        Assert.True(Directory.Exists(host), "mkdir through 9pfuse did not make the folder on the host");
        var f = Path.Combine(dir, "f.txt");
        await File.WriteAllTextAsync(f, "hello\n", ct);
        Assert.Equal("hello\n", await File.ReadAllTextAsync(f, ct));
        await using (var stream = new FileStream(f, FileMode.Append))
        {
            await stream.WriteAsync("more\n"u8.ToArray(), ct);
            stream.Flush(flushToDisk: true);
        }
        Assert.Equal("hello\nmore\n", await File.ReadAllTextAsync(f, ct));
        Assert.Equal("hello\nmore\n", await File.ReadAllTextAsync(Path.Combine(host, "f.txt"), ct));

        var moves = await RunAsync(fuse,
            "cd \"$M/home/export/ops\" && mkdir sub && mv f.txt g.txt && mv g.txt sub/g.txt && " +
            "echo old > x.txt && echo new > y.txt && mv y.txt x.txt && echo tail >> x.txt && echo gone > rm.txt && rm rm.txt", ct);
        Assert.True(moves.ExitCode == 0, $"mkdir, mv and rm through 9pfuse: {moves}\n{mounted.Describe()}");
        Assert.Equal("hello\nmore\n", await File.ReadAllTextAsync(Path.Combine(host, "sub", "g.txt"), ct));
        Assert.Equal("new\ntail\n", await File.ReadAllTextAsync(Path.Combine(host, "x.txt"), ct));
        Assert.Equal(["sub", "x.txt"], Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["sub", "x.txt"], Directory.EnumerateFileSystemEntries(host).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var directoryMove = await RunAsync(fuse,
            "cd \"$M/home/export/ops\" && mkdir d1 && echo inside > d1/f && cat d1/f > /dev/null && mv d1 d2 && cat d2/f && rm d2/f && rmdir d2", ct);
        Assert.True(directoryMove.ExitCode == 0 && directoryMove.Output == "inside\n", $"a file in a renamed folder through 9pfuse: {directoryMove}");

        var attributes = await RunAsync(fuse,
            "cd \"$M/home/export/ops\" && printf 'a longer first version' > t.txt && printf short > t.txt && cat t.txt && echo && " +
            "chmod 640 t.txt && stat -c %a t.txt && touch -d '2001-02-03 04:05:06 UTC' t.txt && stat -c %Y t.txt", ct);
        Assert.True(attributes.ExitCode == 0, $"overwrite, chmod and touch through 9pfuse: {attributes}");
        Assert.Equal(["short", "640", "981173106"], attributes.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("short", await File.ReadAllTextAsync(Path.Combine(host, "t.txt"), ct));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(981173106).UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(host, "t.txt")));
        File.Delete(Path.Combine(dir, "t.txt"));

        var errors = await RunAsync(fuse,
            "cd \"$M/home/export/ops\"; cat nope; mkdir sub; rmdir sub; echo \"left: $(ls sub)\"", ct);
        Assert.Contains("No such file or directory", errors.Error);
        Assert.Contains("File exists", errors.Error);
        Assert.Contains("left: g.txt", errors.Output);
    }

    [Fact]
    public async Task AMebibyteCopiedInIsTheSameByteForByte()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, fuse) = mounted.Require();
        var source = Path.Combine(Path.GetTempPath(), $"cheshire-9pfuse-src-{Guid.NewGuid():N}");
        var data = RandomNumberGenerator.GetBytes(1 << 20);
        await File.WriteAllBytesAsync(source, data, ct);
        try
        {
            Directory.CreateDirectory(Path.Combine(fuse.MountPoint, "home", "export", "copy"));
            var copy = await RunAsync(fuse,
                "cp \"$S\" \"$M/home/export/copy/big.bin\" && cmp \"$S\" \"$M/home/export/copy/big.bin\" && stat -c %s \"$M/home/export/copy/big.bin\"",
                ct, ("S", source));
            Assert.True(copy.ExitCode == 0, $"cp + cmp of 1 MiB through 9pfuse: {copy}");
            Assert.Equal("1048576", copy.Output.Trim());
            Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(fuse.MountPoint, "home", "export", "copy", "big.bin"), ct));
            Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(node.ExportDir, "copy", "big.bin"), ct));
        }
        finally
        {
            File.Delete(source);
        }
    }

    [Fact]
    public async Task LsOfADirectoryWithHundredsOfEntriesListsEachOnce()
    {
        const int count = 500;
        var ct = TestContext.Current.CancellationToken;
        var (node, fuse) = mounted.Require();
        var created = await RunAsync(fuse,
            "mkdir \"$M/home/export/many\" && cd \"$M/home/export/many\" && i=0; while [ $i -lt $N ]; do : > \"entry-$i\"; i=$((i+1)); done",
            ct, ("N", count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(created.ExitCode == 0, $"creating {count} files through 9pfuse: {created}");
        var expected = Enumerable.Range(0, count).Select(i => $"entry-{i}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Directory.EnumerateFiles(Path.Combine(node.ExportDir, "many")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Twice: 9pfuse rewinds the 9P directory read (offset 0) for the second listing.
        for (var pass = 0; pass < 2; pass++)
        {
            var ls = await RunAsync(fuse, "ls -1 \"$M/home/export/many\"", ct);
            Assert.True(ls.ExitCode == 0, $"ls: {ls}");
            Assert.Equal(expected, ls.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        }
        Assert.Equal(expected, Directory.EnumerateFiles(Path.Combine(fuse.MountPoint, "home", "export", "many"))
            .Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TheExportComesBackThroughTheSameMountAfterTheProviderRestarts()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, fuse) = mounted.Require();
        var file = Path.Combine(fuse.MountPoint, "home", "export", "kept.txt");
        await File.WriteAllTextAsync(file, "before the restart", ct);

        await node.RestartProviderAsync();

        var text = await Eventually.SucceedsAsync(() => File.ReadAllTextAsync(file, ct), TimeSpan.FromSeconds(30),
            "the export through 9pfuse after styx-provider restarted", ct);
        Assert.Equal("before the restart", text);
        var clock = await RunAsync(fuse, "cat \"$M/clock/time\"", ct);
        Assert.True(clock.ExitCode == 0 && IsoTime().IsMatch(clock.Output.Trim()), $"cat /clock/time after the restart: {clock}");
    }

    private static Task<Shell.Result> RunAsync(NinePFuse fuse, string script, CancellationToken ct, params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value);
        environment["M"] = fuse.MountPoint;
        return Shell.RunAsync(script, environment, ct);
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")]
    private static partial Regex IsoTime();
}
