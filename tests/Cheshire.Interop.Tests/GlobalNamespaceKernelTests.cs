using System.Net.Sockets;
using System.Security.Cryptography;
using Cheshire.Interop.Tests.Harness;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.Interop.Tests;

/// <summary>
/// The global namespace end to end with the Linux kernel's v9fs client: node A exports a host directory at
/// /alice/music; on node B, a guest mounts B's styx-root (over TCP, at 9P2000.L and at 9P2000.u) and finds, reads and
/// writes A's export there — guest → v9fs → B's styx-root → B's styx-client → link → A's styx-client → A's disk.
/// One pair of nodes for the class; each dialect works in a folder of its own in the export.
/// </summary>
public sealed class GlobalNamespaceKernelTests(TwoNodesFixture fixture) : IClassFixture<TwoNodesFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("9p2000.L")]
    [InlineData("9p2000.u")]
    public async Task KernelOnNodeBReadsAndWritesTheExportOfNodeA(string dialect)
    {
        var ct = TestContext.Current.CancellationToken;
        var nodes = fixture.Host;
        var tag = dialect == "9p2000.L" ? "L" : "u";
        var folder = "v-" + tag;
        var onA = Path.Combine(nodes.ExportDir, folder);
        Directory.CreateDirectory(onA);
        var fromA = "on node A's disk " + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(onA, "song.txt"), fromA + "\n", ct);

        // Publishing is asynchronous and B caches a miss for a few seconds: walk until B's styx-root resolves the export.
        await Eventually.SucceedsAsync(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", nodes.StyxPort, ct);
            await using var fs = await StyxFs.MountAsync(tcp.GetStream(), "root", ct: ct);
            return await fs.ReadTextAsync($"alice/music/{folder}/song.txt", ct);
        }, Bound, "B's styx-root resolves /alice/music", ct);

        var m = "/mnt/r" + TwoNodesHost.ExportPath;
        var script = new GuestScript();
        script.Export("P", nodes.StyxPort.ToString()).Raw("mkdir -p /mnt/r");
        script.Check($"mount B's styx-root {dialect} msize=524288",
            $"mount -t 9p -o trans=tcp,port=$P,version={dialect},msize=524288 {V9fsGuest.GuestServerAddress} /mnt/r");
        // The kernel lists the version it agreed on with the server (none for its default, 9p2000.L): no silent downgrade.
        script.Check($"the mount speaks {dialect}", "m=$(grep ' /mnt/r 9p ' /proc/mounts) && echo \"$m\" && " +
            (tag == "u" ? "echo \"$m\" | grep -q 'version=9p2000.u,'" : "! echo \"$m\" | grep -q 'version='"));
        script.Check("ls / shows alice", "ls -la /mnt/r && ls /mnt/r | grep -qx alice");
        script.Check("ls /alice shows music", "ls -la /mnt/r/alice && ls /mnt/r/alice | grep -qx music");
        script.Check("ls the export shows A's folder", $"ls -la {m} && ls {m} | grep -qx {folder}");
        script.Check("read A's file", $"test \"$(cat {m}/{folder}/song.txt)\" = {GuestScript.Quote(fromA)}");
        script.Check("write a file for A",
            $"echo 'written on B' > {m}/{folder}/from-b.txt && test \"$(cat {m}/{folder}/from-b.txt)\" = 'written on B'");
        script.FileSystemSuite(tag, $"{m}/{folder}");
        script.Check("umount", "umount /mnt/r");

        var result = await V9fsGuest.RunAsync(
            new GuestRunOptions { Ports = [nodes.StyxPort], Script = script.ToString(), HostContext = nodes.Describe }, ct);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
        script.AssertAllPassed(result, nodes.Describe());

        Assert.Equal("written on B\n", await File.ReadAllTextAsync(Path.Combine(onA, "from-b.txt"), ct));
        var hash = Assert.Single(GuestScript.Values(result, "sha1"));
        var big = Path.Combine(onA, hash[1]);
        Assert.True(File.Exists(big), $"{big} missing on A's disk");
        Assert.Equal(1 << 20, new FileInfo(big).Length);
        Assert.Equal(hash[2], Convert.ToHexStringLower(SHA1.HashData(await File.ReadAllBytesAsync(big, ct))));
        Assert.False(Directory.Exists(Path.Combine(onA, "d-" + tag)), "rmdir on B left the directory on A's disk");
        Assert.Equal([$"big-{tag}.bin", "from-b.txt", "song.txt"],
            Directory.EnumerateFileSystemEntries(onA).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
