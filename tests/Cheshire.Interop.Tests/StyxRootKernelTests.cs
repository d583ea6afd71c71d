using System.Security.Cryptography;
using Cheshire.Identity;
using Cheshire.Interop.Tests.Harness;
using Cheshire.Protos;
using Cheshire.Protos.Namespace;
using Grpc.Net.Client;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

// One styx-root process for the whole assembly: every class below uses it, and classes run in parallel.
[assembly: AssemblyFixture(typeof(Cheshire.Interop.Tests.StyxRootHost))]

namespace Cheshire.Interop.Tests;

/// <summary>
/// One styx-root process per test assembly (services/styx-root, started standalone) on 127.0.0.1, with its node key
/// created beforehand so the expected node id is known, and a <see cref="NinePTap"/> in front of its
/// 9P port recording the exchange for failure messages.
/// </summary>
public sealed class StyxRootHost : IAsyncLifetime
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("cheshire-interop-root-").FullName;
    private StyxRootServer? _server;
    private NinePTap? _tap;
    private Exception? _startError;

    public string NodeId { get; private set; } = "";

    // A start failure (e.g. the dll is not built) fails the tests that use styx-root, with its message,
    // and leaves the other tests of the assembly alone.
    public StyxRootServer Server => _server ?? throw new InvalidOperationException("styx-root did not start: " + _startError?.Message, _startError);

    public NinePTap Tap => _tap ?? throw new InvalidOperationException("styx-root did not start: " + _startError?.Message, _startError);

    public async ValueTask InitializeAsync()
    {
        using (var identity = NodeIdentityStore.LoadOrCreate(DataDir))
        {
            NodeId = identity.NodeIdHex;
        }
        try
        {
            _server = await StyxRootServer.StartAsync(DataDir);
            _tap = new NinePTap(_server.Port);
        }
        catch (Exception e)
        {
            _startError = e;
        }
    }

    /// <summary>The 9P exchange and the server's log, for failure messages.</summary>
    public string Describe() => Tap.Describe() + "\n\n" + Server.Describe(200);

    public async ValueTask DisposeAsync()
    {
        if (_tap is not null)
        {
            await _tap.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// The Linux kernel's v9fs client against styx-root: each dialect in one boot (one class per dialect,
/// so two boots can run at once on the shared styx-root), mounting the namespace twice (msize 8192
/// and 524288) and checking /cheshire and the writable /tmp on both.
/// </summary>
public abstract class StyxRootKernelTests(StyxRootHost host, string dialect)
{
    [Fact]
    public async Task KernelMountsTheNamespace()
    {
        var d = dialect switch { "9p2000" => "p", "9p2000.u" => "u", _ => "L" };
        var script = new GuestScript();
        script.Export("P", host.Tap.Port.ToString()).Export("NODE", host.NodeId).Raw("mkdir -p /mnt/a /mnt/b");
        var mounts = new[] { ("a", 8192, $"{d}8k"), ("b", 524288, $"{d}512k") };
        foreach (var (mnt, msize, _) in mounts)
        {
            script.Check($"mount {dialect} msize={msize} on /mnt/{mnt}",
                $"mount -t 9p -o trans=tcp,port=$P,version={dialect},msize={msize} {V9fsGuest.GuestServerAddress} /mnt/{mnt}");
        }
        script.Raw("grep ' 9p ' /proc/mounts");
        foreach (var (mnt, _, tag) in mounts)
        {
            var m = "/mnt/" + mnt;
            script.Check($"{tag}: ls / shows cheshire and tmp", $"ls -la {m} && ls {m} | grep -qx cheshire && ls {m} | grep -qx tmp");
            script.Check($"{tag}: ls /cheshire", $"ls -la {m}/cheshire && for f in node version uptime mounts; do ls {m}/cheshire | grep -qx $f || {{ echo \"no $f\"; exit 1; }}; done");
            script.Check($"{tag}: cat /cheshire/node is the node id", $"n=$(cat {m}/cheshire/node) && echo \"$n\" && echo \"$n\" | grep -Eqx '[0-9a-f]{{40}}' && test \"$n\" = \"$NODE\"");
            script.Check($"{tag}: stat /cheshire/node", $"stat {m}/cheshire/node && case \"$(stat -c %F {m}/cheshire/node)\" in 'regular file'|'regular empty file') ;; *) exit 1;; esac && test \"$(stat -c %a {m}/cheshire/node)\" = 444");
            script.Check($"{tag}: cat version, uptime, mounts", $"for f in version uptime mounts; do echo \"== $f\"; cat {m}/cheshire/$f || exit 1; done && test -n \"$(cat {m}/cheshire/version)\" && test -n \"$(cat {m}/cheshire/mounts)\"");
            script.Check($"{tag}: /cheshire is read-only", $"if echo x > {m}/cheshire/node; then echo 'write to node succeeded'; exit 1; fi; if touch {m}/cheshire/new-{tag}; then echo 'create succeeded'; exit 1; fi; test \"$(cat {m}/cheshire/node)\" = \"$NODE\"");
            script.FileSystemSuite(tag, m + "/tmp");
        }
        script.Check("a file written through one mount reads through the other", $"cmp /mnt/a/tmp/big-{d}8k.bin /mnt/b/tmp/big-{d}8k.bin && cmp /mnt/b/tmp/big-{d}512k.bin /mnt/a/tmp/big-{d}512k.bin");
        script.Check("remove the 1 MiB files", $"rm /mnt/a/tmp/big-{d}8k.bin /mnt/b/tmp/big-{d}512k.bin && test ! -e /mnt/b/tmp/big-{d}8k.bin");
        script.Check("umount both", "umount /mnt/a && umount /mnt/b");

        var result = await V9fsGuest.RunAsync(
            new GuestRunOptions { Ports = [host.Tap.Port], Script = script.ToString(), HostContext = host.Describe },
            TestContext.Current.CancellationToken);
        script.AssertAllPassed(result, host.Describe());
        TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
    }

}

public sealed class StyxRoot9P2000KernelTests(StyxRootHost host) : StyxRootKernelTests(host, "9p2000");

public sealed class StyxRoot9P2000uKernelTests(StyxRootHost host) : StyxRootKernelTests(host, "9p2000.u");

public sealed class StyxRoot9P2000LKernelTests(StyxRootHost host) : StyxRootKernelTests(host, "9p2000.L");

public sealed class StyxRootGrpcTests(StyxRootHost host)
{
    [Fact]
    public async Task GrpcGetInfoReportsTheSameNodeId()
    {
        using var channel = GrpcChannel.ForAddress(host.Server.GrpcAddress);
        var info = await new NamespaceClient(channel).GetInfoAsync(new GetInfoRequest(),
            deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(host.NodeId, info.NodeId);
    }
}

/// <summary>
/// diod mounted into styx-root's namespace (Namespace.Mount with a 9P source) and the kernel reading
/// and writing through styx-root into it: guest → v9fs → styx-root → 9P client → diod → host disk.
/// </summary>
public sealed class StyxRootRemoteMountKernelTests(StyxRootHost host) : IDisposable
{
    private readonly string _export = Directory.CreateTempSubdirectory("cheshire-interop-diod-").FullName;

    [Fact]
    public async Task KernelReadsAndWritesDiodThroughStyxRoot()
    {
        var ct = TestContext.Current.CancellationToken;
        var fromHost = "on diod's disk " + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(Path.Combine(_export, "host.txt"), fromHost + "\n", ct);
        await using var diod = await DiodServer.StartAsync(_export);
        using var channel = GrpcChannel.ForAddress(host.Server.GrpcAddress);
        var api = new NamespaceClient(channel);
        var mountPath = "/diod-" + Guid.NewGuid().ToString("N")[..8];
        var entry = await api.MountAsync(new MountRequest
        {
            Path = mountPath,
            Ninep = new NinepSource { Address = $"127.0.0.1:{diod.Port}", Aname = _export, Uname = "root" },
        }, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: ct);

        try
        {
            var script = new GuestScript();
            script.Export("P", host.Tap.Port.ToString()).Raw("mkdir -p /mnt/a");
            script.Check("mount styx-root 9p2000.L msize=524288", $"mount -t 9p -o trans=tcp,port=$P,version=9p2000.L,msize=524288 {V9fsGuest.GuestServerAddress} /mnt/a");
            var m = "/mnt/a" + mountPath;
            script.Check("ls / shows the diod mount", $"ls /mnt/a && ls /mnt/a | grep -qx {mountPath.TrimStart('/')}");
            script.Check("the host's file on diod reads back", $"test \"$(cat {m}/host.txt)\" = {GuestScript.Quote(fromHost)}");
            script.Check("write a file for the host", $"echo 'from the guest via styx-root' > {m}/guest.txt");
            script.FileSystemSuite("r", m);

            var result = await V9fsGuest.RunAsync(
                new GuestRunOptions { Ports = [host.Tap.Port], Script = script.ToString(), HostContext = () => host.Describe() + "\n\n" + diod.Describe(100) },
                ct);
            script.AssertAllPassed(result, host.Describe() + "\n\n" + diod.Describe(100));

            Assert.Equal("from the guest via styx-root\n", await File.ReadAllTextAsync(Path.Combine(_export, "guest.txt"), ct));
            var hash = Assert.Single(GuestScript.Values(result, "sha1"));
            var onDisk = Path.Combine(_export, hash[1]);
            Assert.True(File.Exists(onDisk), $"{onDisk} missing on diod's disk");
            Assert.Equal(hash[2], Convert.ToHexStringLower(SHA1.HashData(await File.ReadAllBytesAsync(onDisk, ct))));
            Assert.False(Directory.Exists(Path.Combine(_export, "d-r")), "rmdir through styx-root left the directory on diod's disk");
            TestContext.Current.TestOutputHelper?.WriteLine(result.Describe());
        }
        finally
        {
            await api.UnmountAsync(new UnmountRequest { Path = mountPath, Id = entry.Id },
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: CancellationToken.None);
        }
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
