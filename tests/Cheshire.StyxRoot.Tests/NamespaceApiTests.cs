using System.Text;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.Protocol;
using Grpc.Core;
using Grpc.Net.Client;
using NamespaceClient = Cheshire.Protos.Namespace.Namespace.NamespaceClient;

namespace Cheshire.StyxRoot.Tests;

public sealed class NamespaceApiTests(StyxRootFixture fixture) : IClassFixture<StyxRootFixture>, IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(fixture.Module.GrpcAddress);
    private NamespaceClient Api => new(_channel);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static DateTime Deadline => DateTime.UtcNow.AddSeconds(10);

    [Fact]
    public async Task AMountedRamTreeAppearsAndDisappearsFromTheNamespace()
    {
        var entry = await Api.MountAsync(new MountRequest { Path = "/scratch/", Ram = new RamSource() }, deadline: Deadline, cancellationToken: Ct);
        Assert.Equal("/scratch", entry.Path);
        Assert.Contains(entry, (await Api.ListMountsAsync(new ListMountsRequest(), deadline: Deadline, cancellationToken: Ct)).Mounts);

        await using (var session = await Connect())
        {
            var fid = session.Client.NewFid();
            await session.Client.WalkAsync(session.Root, fid, ["scratch"], Ct);
            await session.Client.LcreateAsync(fid, "hello", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
            await session.Client.WriteAllAsync(fid, 0, "hi\n"u8.ToArray(), Ct);
            await session.Client.ClunkAsync(fid, Ct);
            Assert.Equal("hi\n", Encoding.UTF8.GetString(await session.ReadFileAsync("scratch/hello")));
            Assert.Contains("/scratch\n", Encoding.UTF8.GetString(await session.ReadFileAsync("cheshire/mounts")));
        }

        var removed = await Api.UnmountAsync(new UnmountRequest { Path = "/scratch", Id = entry.Id }, deadline: Deadline, cancellationToken: Ct);
        Assert.Equal(1u, removed.Removed);
        await using (var session = await Connect())
        {
            var error = await Assert.ThrowsAsync<StyxErrorException>(() => session.ReadFileAsync("scratch/hello"));
            Assert.Equal(Errno.ENOENT, error.Errno);
        }
    }

    [Fact]
    public async Task AUnionMountAddsALayerAfterTheExistingOne()
    {
        var first = await Api.MountAsync(new MountRequest { Path = "/union", Ram = new RamSource() }, deadline: Deadline, cancellationToken: Ct);
        var second = await Api.MountAsync(new MountRequest { Path = "/union", Ram = new RamSource(), Flag = MountFlag.After },
            deadline: Deadline, cancellationToken: Ct);

        var atUnion = (await Api.ListMountsAsync(new ListMountsRequest(), deadline: Deadline, cancellationToken: Ct)).Mounts
            .Where(m => m.Path == "/union").ToList();
        Assert.Equal([first.Id, second.Id], atUnion.Select(m => m.Id));
        Assert.Equal(MountFlag.After, atUnion[1].Flag);

        var removed = await Api.UnmountAsync(new UnmountRequest { Path = "/union" }, deadline: Deadline, cancellationToken: Ct);
        Assert.Equal(2u, removed.Removed);
    }

    [Theory]
    [InlineData("relative/path", "must be absolute")]
    [InlineData("", "must be absolute")]
    [InlineData("/a/../b", "contains '..'")]
    [InlineData("/a/./b", "contains '.'")]
    public async Task BadMountPathsAreRejected(string path, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Api.MountAsync(new MountRequest { Path = path, Ram = new RamSource() }, deadline: Deadline, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
    }

    [Fact]
    public async Task AMountWithoutASourceIsRejected()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Api.MountAsync(new MountRequest { Path = "/x" }, deadline: Deadline, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("needs a source", error.Status.Detail);
    }

    [Fact]
    public async Task AnUnknownFlagIsRejected()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Api.MountAsync(new MountRequest { Path = "/x", Ram = new RamSource(), Flag = (MountFlag)7 }, deadline: Deadline, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task UnmountingWhatIsNotMountedIsNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Api.UnmountAsync(new UnmountRequest { Path = "/never-mounted" }, deadline: Deadline, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);

        var tmp = (await Api.ListMountsAsync(new ListMountsRequest(), deadline: Deadline, cancellationToken: Ct)).Mounts.Single(m => m.Path == "/tmp");
        error = await Assert.ThrowsAsync<RpcException>(() =>
            Api.UnmountAsync(new UnmountRequest { Path = "/cheshire", Id = tmp.Id }, deadline: Deadline, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    private async Task<NinePSession> Connect()
    {
        var tcp = await fixture.Module.ConnectStyxAsync(Ct);
        var client = await Cheshire.Styx.Client.StyxClient.ConnectAsync(tcp.GetStream(), DialectNames.Linux, 8192 + 24, Ct);
        var root = client.NewFid();
        await client.AttachAsync(root, "tester", "", ct: Ct);
        return new NinePSession(tcp, client, root);
    }

    public void Dispose() => _channel.Dispose();
}
