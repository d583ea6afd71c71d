using System.Security.Cryptography;
using Cheshire.Interop.Tests.Harness;

namespace Cheshire.Interop.Tests;

/// <summary>
/// Validates the harness against a real server: the Linux v9fs client (9P2000.L) in a QEMU guest
/// mounts a directory exported by diod on the host's loopback and works on it.
/// </summary>
public sealed class DiodKernelTests : IDisposable
{
    private readonly string _export = Directory.CreateTempSubdirectory("cheshire-diod-export-").FullName;

    [Fact]
    public async Task KernelReadsAndWritesADiodExport()
    {
        var fromHost = "written by the host " + Guid.NewGuid().ToString("N") + "\n";
        await File.WriteAllTextAsync(Path.Combine(_export, "host.txt"), fromHost, TestContext.Current.CancellationToken);
        await using var diod = await DiodServer.StartAsync(_export);

        var script = new GuestScript();
        script.Export("P", diod.Port.ToString()).Export("X", _export).Raw("mkdir -p /mnt/a /mnt/b");
        foreach (var (mnt, msize) in new[] { ("a", 524288), ("b", 8192) })
        {
            script.Check($"mount 9p2000.L msize={msize} on /mnt/{mnt}",
                $"mount -t 9p -o trans=tcp,port=$P,version=9p2000.L,msize={msize},uname=root,aname=$X {V9fsGuest.GuestServerAddress} /mnt/{mnt}");
        }
        script.Raw("grep ' 9p ' /proc/mounts");
        script.Check("the host's file reads back", $"test \"$(cat /mnt/a/host.txt)\" = {GuestScript.Quote(fromHost.TrimEnd('\n'))}");
        script.Check("guest writes a file for the host", "echo 'from the guest' > /mnt/a/guest.txt");
        script.FileSystemSuite("a", "/mnt/a");
        script.FileSystemSuite("b", "/mnt/b");
        script.Check("a file written through one mount reads through the other", "cmp /mnt/a/big-a.bin /mnt/b/big-a.bin");

        var result = await V9fsGuest.RunAsync(new GuestRunOptions { Ports = [diod.Port], Script = script.ToString(), HostContext = () => diod.Describe() },
            TestContext.Current.CancellationToken);
        script.AssertAllPassed(result, diod.Describe());

        // Host side: what the guest wrote is on the exported disk, byte for byte.
        Assert.Equal("from the guest\n", await File.ReadAllTextAsync(Path.Combine(_export, "guest.txt"), TestContext.Current.CancellationToken));
        var hashes = GuestScript.Values(result, "sha1");
        Assert.Equal(2, hashes.Count);
        foreach (var h in hashes)
        {
            var onDisk = Path.Combine(_export, h[1]);
            Assert.True(File.Exists(onDisk), $"{onDisk} missing on the host\n{result.Describe(diod.Describe())}");
            Assert.Equal(1 << 20, new FileInfo(onDisk).Length);
            Assert.Equal(h[2], Convert.ToHexStringLower(SHA1.HashData(await File.ReadAllBytesAsync(onDisk, TestContext.Current.CancellationToken))));
        }
        Assert.False(Directory.Exists(Path.Combine(_export, "d-a")), "rmdir through the mount did not remove the host directory");
        Assert.False(File.Exists(Path.Combine(_export, "f-a.txt")), "mv through the mount left the old host file");
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe(diod.Describe(50)));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_export, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
