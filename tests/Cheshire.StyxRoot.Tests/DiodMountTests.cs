using Cheshire.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

namespace Cheshire.StyxRoot.Tests;

/// <summary>A real 9P server (diod) mounted into the namespace through the Namespace API.</summary>
public sealed class DiodMountTests(StyxRootFixture fixture) : IClassFixture<StyxRootFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Module.GrpcAddress);
    private readonly DirectoryInfo _export = Directory.CreateTempSubdirectory("cheshire-diod-");
    private NamespaceClient Api => new(_channel);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClientsReadAndWriteThroughTheNamespaceIntoDiod()
    {
        await File.WriteAllTextAsync(Path.Combine(_export.FullName, "on-disk"), "written on the host\n", Ct);
        using var diod = new KilledOnDispose(StartDiod(_export.FullName, out var port));
        await WaitListeningAsync(port);

        var mount = await Api.MountAsync(new MountRequest
        {
            Path = "/diod",
            Ninep = new NinepSource { Address = $"127.0.0.1:{port}", Aname = _export.FullName, Uname = "root" },
        }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct);
        Assert.Equal($"9p tcp!127.0.0.1!{port} {_export.FullName}", mount.Source);

        await using var session = await Connect();
        Assert.Equal("written on the host\n", Encoding.UTF8.GetString(await session.ReadFileAsync("diod/on-disk")));

        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1 << 20);
        var fid = session.Client.NewFid();
        await session.Client.WalkAsync(session.Root, fid, ["diod"], Ct);
        await session.Client.LcreateAsync(fid, "from-9p", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        await session.Client.WriteAllAsync(fid, 0, data, Ct);
        await session.Client.ClunkAsync(fid, Ct);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(_export.FullName, "from-9p"), Ct));

        await Api.UnmountAsync(new UnmountRequest { Path = "/diod", Id = mount.Id }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct);
    }

    [Fact]
    public async Task MountingAServerThatIsNotThereIsUnavailable()
    {
        var port = FreePorts.Tcp();

        var error = await Assert.ThrowsAsync<RpcException>(() => Api.MountAsync(new MountRequest
        {
            Path = "/nowhere",
            Ninep = new NinepSource { Address = $"127.0.0.1:{port}" },
        }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"cannot mount 9p tcp!127.0.0.1!{port}", error.Status.Detail);
    }

    [Theory]
    [InlineData("no-port")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData(":564")]
    public async Task ABadNinePAddressIsRejected(string address)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Api.MountAsync(new MountRequest
        {
            Path = "/bad",
            Ninep = new NinepSource { Address = address },
        }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    private static Process StartDiod(string directory, out int port)
    {
        if (!File.Exists("/usr/sbin/diod"))
            throw new InvalidOperationException("diod is not installed: run build/install-prerequisites.sh (apt-get install diod).");
        port = FreePorts.Tcp();
        return Process.Start(new ProcessStartInfo("/usr/sbin/diod", $"-f -n -N -l 127.0.0.1:{port} -e {directory}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
    }

    private static async Task WaitListeningAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port, Ct);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, Ct);
            }
        }
        throw new TimeoutException($"diod is not listening on {port}");
    }

    private async Task<NinePSession> Connect()
    {
        var tcp = await fixture.Module.ConnectStyxAsync(Ct);
        var client = await Cheshire.Styx.Client.StyxClient.ConnectAsync(tcp.GetStream(), DialectNames.Linux, 65536 + 24, Ct);
        var root = client.NewFid();
        await client.AttachAsync(root, "tester", "", ct: Ct);
        return new NinePSession(tcp, client, root);
    }

    private sealed class KilledOnDispose(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.WaitForExit();
            process.Dispose();
        }
    }

    public void Dispose()
    {
        _channel.Dispose();
        _export.Delete(recursive: true);
    }
}
