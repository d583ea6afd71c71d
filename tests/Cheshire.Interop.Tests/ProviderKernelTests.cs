using System.Diagnostics;
using System.Security.Cryptography;
using Cheshire.Interop.Tests.Harness;

namespace Cheshire.Interop.Tests;

/// <summary>
/// The Linux kernel's v9fs client on styx-root's namespace where styx-provider mounts its trees: an exported host
/// directory (/home/export, LocalFileSystem), a script (/clock, samples/clock.js) and the /dht control tree of a
/// lone dht. One guest boot per dialect; what the guest writes is checked on the host's disk afterwards.
/// </summary>
public sealed class ProviderKernelTests(ProviderNodeHost node) : IClassFixture<ProviderNodeHost>
{
    private const long SparseOffset = 5L << 30; // past 4 GiB: 64-bit offsets all the way to the host file
    private const long TouchedEpoch = 981173106; // 2001-02-03 04:05:06 UTC

    [Theory]
    [InlineData("9p2000.L")]
    [InlineData("9p2000.u")]
    public async Task KernelUsesTheProvidersTrees(string dialect)
    {
        var ct = TestContext.Current.CancellationToken;
        var tag = dialect == "9p2000.L" ? "L" : "u";
        var script = new GuestScript();
        script.Export("P", node.StyxPort.ToString()).Export("E", "/mnt/p/home/export/" + tag).Raw("mkdir -p /mnt/p");
        script.Check($"mount {dialect} msize=524288",
            $"mount -t 9p -o trans=tcp,port=$P,version={dialect},msize=524288 {V9fsGuest.GuestServerAddress} /mnt/p");
        script.Check("ls / shows home, clock and dht", "ls -la /mnt/p && for d in home clock dht; do ls /mnt/p | grep -qx $d || { echo \"no $d\"; exit 1; }; done");
        script.Check("mkdir in the export", "mkdir \"$E\" && test \"$(stat -c %F \"$E\")\" = directory");
        script.Check("write a file and read it back", $"echo 'hello {tag}' > \"$E/f.txt\" && test \"$(cat \"$E/f.txt\")\" = 'hello {tag}'");
        script.Check("append", "echo more >> \"$E/f.txt\" && test \"$(wc -l < \"$E/f.txt\")\" -eq 2 && test \"$(tail -n1 \"$E/f.txt\")\" = more");
        script.Check("mkdir and mv into it", $"mkdir \"$E/sub\" && mv \"$E/f.txt\" \"$E/sub/g.txt\" && test ! -e \"$E/f.txt\" && test \"$(head -n1 \"$E/sub/g.txt\")\" = 'hello {tag}'");
        script.Check("mv over an existing file", "echo old > \"$E/x.txt\" && echo new > \"$E/y.txt\" && mv \"$E/y.txt\" \"$E/x.txt\" && test \"$(cat \"$E/x.txt\")\" = new && test ! -e \"$E/y.txt\"");
        script.Check("rm", "echo gone > \"$E/rm.txt\" && rm \"$E/rm.txt\" && test ! -e \"$E/rm.txt\" && ! ls \"$E\" | grep -qx rm.txt");
        script.Check("rmdir of a non-empty directory fails", "if rmdir \"$E/sub\"; then echo 'rmdir succeeded'; exit 1; fi; test -e \"$E/sub/g.txt\"");
        script.Check("1 MiB copy checked with cmp",
            "dd if=/dev/urandom of=/tmp/src bs=65536 count=16 2>/dev/null && cp /tmp/src \"$E/big.bin\" && cmp /tmp/src \"$E/big.bin\" && test \"$(stat -c %s \"$E/big.bin\")\" -eq 1048576");
        script.Raw("echo \"sha1 big.bin $(sha1sum < /tmp/src | cut -d' ' -f1)\"");
        script.Check("sparse file past 4 GiB",
            $"printf end | dd of=\"$E/sparse.bin\" bs=1 seek={SparseOffset} 2>/dev/null && stat -c '%s %b' \"$E/sparse.bin\" && test \"$(stat -c %s \"$E/sparse.bin\")\" = {SparseOffset + 3} " +
            $"&& test \"$(dd if=\"$E/sparse.bin\" bs=1 skip={SparseOffset} count=3 2>/dev/null)\" = end " +
            $"&& test \"$(dd if=\"$E/sparse.bin\" bs=4096 skip=1000 count=1 2>/dev/null | tr -d '\\0' | wc -c)\" -eq 0");
        script.Check("symlink and readlink",
            $"ln -s sub/g.txt \"$E/link\" && r=$(readlink \"$E/link\"); echo \"readlink: $r\"; test \"$r\" = sub/g.txt " +
            $"&& test \"$(stat -c %F \"$E/link\")\" = 'symbolic link' && test \"$(head -n1 \"$E/link\")\" = 'hello {tag}'");
        script.Check("hard link",
            "echo linked > \"$E/h1\" && ln \"$E/h1\" \"$E/h2\" && stat -c '%n %h %i %s' \"$E/h1\" \"$E/h2\" " +
            // 9P2000.u's stat has no link count (the kernel shows 1): the count is checked at .L and on the host.
            (tag == "L" ? "&& test \"$(stat -c %h \"$E/h1\")\" = 2 " : "") +
            "&& test \"$(cat \"$E/h2\")\" = linked && test \"$(stat -c %i \"$E/h1\")\" = \"$(stat -c %i \"$E/h2\")\"");
        script.Check("chmod checked by stat", "chmod 751 \"$E/sub/g.txt\" && test \"$(stat -c %a \"$E/sub/g.txt\")\" = 751");
        script.Check("touch -d checked by stat", $"touch -d '2001-02-03 04:05:06' \"$E/sub/g.txt\" && test \"$(stat -c %Y \"$E/sub/g.txt\")\" = {TouchedEpoch}");
        script.Check("touch creates an empty file", "touch \"$E/empty\" && test -f \"$E/empty\" && test \"$(stat -c %s \"$E/empty\")\" = 0");
        script.Check("a file created under umask 077 is 600", "umask 077 && echo secret > \"$E/private.txt\" && test \"$(stat -c %a \"$E/private.txt\")\" = 600");
        script.Check("mkdir -m 705", "mkdir -m 705 \"$E/mdir\" && test \"$(stat -c %a \"$E/mdir\")\" = 705");
        script.Check("cat /clock/time is the time", "t=$(cat /mnt/p/clock/time) && echo \"clock $t\" && echo \"$t\" | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z'");
        script.Check("/clock is read-only", "if echo x > /mnt/p/clock/time; then echo 'write succeeded'; exit 1; fi");
        script.Check("cat /dht/node", "cat /mnt/p/dht/node && grep -Eqx 'id [0-9a-f]{40}' /mnt/p/dht/node");
        script.Check("put through /dht/ctl and get it back",
            $"echo 'put interop-{tag} value-{tag}' > /mnt/p/dht/ctl && cat /mnt/p/dht/get/interop-{tag} && grep -q ' value-{tag}$' /mnt/p/dht/get/interop-{tag}");
        script.Check("umount", "umount /mnt/p");

        var result = await V9fsGuest.RunAsync(
            new GuestRunOptions { Ports = [node.StyxPort], Script = script.ToString(), HostContext = node.Describe }, ct);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
        script.AssertAllPassed(result, node.Describe());

        var clock = DateTimeOffset.Parse(Assert.Single(result.Output.Split('\n'), l => l.StartsWith("    clock ", StringComparison.Ordinal))["    clock ".Length..]);
        Assert.InRange(clock, DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow);
        Assert.Contains(node.DhtNode.Split('\n')[0], result.Output);
        await AssertLandedOnTheHostAsync(Path.Combine(node.ExportDir, tag), tag, Assert.Single(GuestScript.Values(result, "sha1"))[1], ct);
    }

    private static async Task AssertLandedOnTheHostAsync(string e, string tag, string sha1, CancellationToken ct)
    {
        var g = Path.Combine(e, "sub", "g.txt");
        Assert.Equal($"hello {tag}\nmore\n", await File.ReadAllTextAsync(g, ct));
        Assert.Equal("751", HostStat("%a", g));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(TouchedEpoch).UtcDateTime, File.GetLastWriteTimeUtc(g));
        Assert.False(File.Exists(Path.Combine(e, "f.txt")));
        Assert.Equal("new\n", await File.ReadAllTextAsync(Path.Combine(e, "x.txt"), ct));
        Assert.False(File.Exists(Path.Combine(e, "y.txt")));
        Assert.False(File.Exists(Path.Combine(e, "rm.txt")));
        Assert.Equal(sha1, Convert.ToHexStringLower(SHA1.HashData(await File.ReadAllBytesAsync(Path.Combine(e, "big.bin"), ct))));

        var sparse = Path.Combine(e, "sparse.bin");
        Assert.Equal(SparseOffset + 3, new FileInfo(sparse).Length);
        Assert.InRange(long.Parse(HostStat("%b", sparse)) * 512, 0, 1 << 20); // holes stay holes on the host's disk

        Assert.Equal("sub/g.txt", new FileInfo(Path.Combine(e, "link")).LinkTarget);
        Assert.Equal("2", HostStat("%h", Path.Combine(e, "h1")));
        Assert.Equal(HostStat("%i", Path.Combine(e, "h1")), HostStat("%i", Path.Combine(e, "h2")));
        Assert.Equal(0, new FileInfo(Path.Combine(e, "empty")).Length);
        Assert.Equal("600", HostStat("%a", Path.Combine(e, "private.txt")));
        Assert.Equal("705", HostStat("%a", Path.Combine(e, "mdir")));
    }

    /// <summary>One field of the host's stat(1) for a file: mode, link count, inode and allocated blocks as the shell user sees them.</summary>
    private static string HostStat(string format, string path)
    {
        var info = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(format);
        info.ArgumentList.Add(path);
        using var stat = Process.Start(info)!;
        var output = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        Assert.True(stat.ExitCode == 0, $"stat -c {format} {path}: {stat.StandardError.ReadToEnd()}");
        return output;
    }
}
