using Cheshire.Testing;
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
    private NamespaceClient Api => new(_channel);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ClientsReadAndWriteThroughTheNamespaceIntoDiod()
    {
        await using var diod = await DiodServer.StartAsync();
        await File.WriteAllTextAsync(diod.PathOf("on-disk"), "written on the host\n", Ct);
        var port = diod.Port;

        var mount = await Api.MountAsync(new MountRequest
        {
            Path = "/diod",
            Ninep = new NinepSource { Address = $"127.0.0.1:{port}", Aname = diod.Directory, Uname = "root" },
        }, deadline: DateTime.UtcNow.AddSeconds(20), cancellationToken: Ct);
        Assert.Equal($"9p tcp!127.0.0.1!{port} {diod.Directory}", mount.Source);

        await using var session = await Connect();
        Assert.Equal("written on the host\n", Encoding.UTF8.GetString(await session.ReadFileAsync("diod/on-disk")));

        var data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(1 << 20);
        var fid = session.Client.NewFid();
        await session.Client.WalkAsync(session.Root, fid, ["diod"], Ct);
        await session.Client.LcreateAsync(fid, "from-9p", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
        await session.Client.WriteAllAsync(fid, 0, data, Ct);
        await session.Client.ClunkAsync(fid, Ct);
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(diod.Directory, "from-9p"), Ct));

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
    [InlineData("unix:relative/path")]
    public async Task ABadNinePAddressIsRejected(string address)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Api.MountAsync(new MountRequest
        {
            Path = "/bad",
            Ninep = new NinepSource { Address = address },
        }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    private async Task<NinePSession> Connect()
    {
        var tcp = await fixture.Module.ConnectStyxAsync(Ct);
        var client = await Cheshire.Styx.Client.StyxClient.ConnectAsync(tcp.GetStream(), DialectNames.Linux, 65536 + 24, Ct);
        var root = client.NewFid();
        await client.AttachAsync(root, "tester", "", ct: Ct);
        return new NinePSession(tcp, client, root);
    }

    public void Dispose()
    {
        _channel.Dispose();
    }
}
