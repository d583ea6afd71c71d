using System.Net.Sockets;
using System.Security.Cryptography;
using Cheshire.Interop.Tests.Harness;
using Cheshire.Styx.Client;
using Cheshire.Testing;

namespace Cheshire.Interop.Tests;

/// <summary>
/// The global namespace end to end with the Linux kernel's v9fs client: node A exports a host directory at
/// /alice/music; on node B, a guest mounts B's styx-root (9P2000.L over TCP) and finds, reads and writes A's export
/// there — guest → v9fs → B's styx-root → B's styx-client → link → A's styx-client → A's disk.
/// </summary>
public sealed class GlobalNamespaceKernelTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KernelOnNodeBReadsAndWritesTheExportOfNodeA()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var nodes = await TwoNodesHost.StartAsync(Bound, ct);
        var fromA = "on node A's disk " + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(nodes.ExportDir, "song.txt"), fromA + "\n", ct);

        // Publishing is asynchronous and B caches a miss for a few seconds: walk until B's styx-root resolves the export.
        await Eventually.SucceedsAsync(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", nodes.StyxPort, ct);
            await using var fs = await StyxFs.MountAsync(tcp.GetStream(), "root", ct: ct);
            return await fs.ReadTextAsync("alice/music/song.txt", ct);
        }, Bound, "B's styx-root resolves /alice/music", ct);

        var m = "/mnt/r" + TwoNodesHost.ExportPath;
        var script = new GuestScript();
        script.Export("P", nodes.StyxPort.ToString()).Raw("mkdir -p /mnt/r");
        script.Check("mount B's styx-root 9p2000.L msize=524288",
            $"mount -t 9p -o trans=tcp,port=$P,version=9p2000.L,msize=524288 {V9fsGuest.GuestServerAddress} /mnt/r");
        script.Check("ls / shows alice", "ls -la /mnt/r && ls /mnt/r | grep -qx alice");
        script.Check("ls /alice shows music", "ls -la /mnt/r/alice && ls /mnt/r/alice | grep -qx music");
        script.Check("ls the export shows A's file", $"ls -la {m} && ls {m} | grep -qx song.txt");
        script.Check("read A's file", $"test \"$(cat {m}/song.txt)\" = {GuestScript.Quote(fromA)}");
        script.Check("write a file for A", $"echo 'written on B' > {m}/from-b.txt && test \"$(cat {m}/from-b.txt)\" = 'written on B'");
        script.FileSystemSuite("b", m);
        script.Check("umount", "umount /mnt/r");

        var result = await V9fsGuest.RunAsync(
            new GuestRunOptions { Ports = [nodes.StyxPort], Script = script.ToString(), HostContext = nodes.Describe }, ct);
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
        script.AssertAllPassed(result, nodes.Describe());

        Assert.Equal("written on B\n", await File.ReadAllTextAsync(Path.Combine(nodes.ExportDir, "from-b.txt"), ct));
        var hash = Assert.Single(GuestScript.Values(result, "sha1"));
        var big = Path.Combine(nodes.ExportDir, hash[1]);
        Assert.True(File.Exists(big), $"{big} missing on A's disk");
        Assert.Equal(1 << 20, new FileInfo(big).Length);
        Assert.Equal(hash[2], Convert.ToHexStringLower(SHA1.HashData(await File.ReadAllBytesAsync(big, ct))));
        Assert.False(Directory.Exists(Path.Combine(nodes.ExportDir, "d-b")), "rmdir on B left the directory on A's disk");
        Assert.Equal(["big-b.bin", "from-b.txt", "song.txt"],
            Directory.EnumerateFileSystemEntries(nodes.ExportDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
