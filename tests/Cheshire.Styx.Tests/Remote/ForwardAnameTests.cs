using System.Collections.Concurrent;
using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote;

/// <summary>
/// RemoteOptions.ForwardAname: several remote trees over ONE connection, each an attach of its own aname (as styx-client
/// shares one session per remote node among the exports imported from it). A refused aname fails only its own attach.
/// </summary>
public sealed class ForwardAnameTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TwoAnamesShareOneConnectionAndARefusedOneLeavesItUp()
    {
        var server = new TreesByAname(new() { ["/a"] = new RamFileSystem(), ["/b"] = new RamFileSystem() });
        await using var inner = new LoopbackServer(server);
        var dials = 0;
        var tcp = RemoteFileSystem.TcpDialer("127.0.0.1", inner.Port);
        await using var remote = RemoteFileSystem.Create(ct =>
        {
            Interlocked.Increment(ref dials);
            return tcp(ct);
        }, uname: "root", options: new RemoteOptions { ForwardAname = true });
        var ns = new Namespace();
        ns.Mount("/one", remote, aname: "/a");
        ns.Mount("/two", remote, aname: "/b");
        ns.Mount("/three", remote, aname: "/nope");
        await using var outer = new LoopbackServer(ns);
        await using var fs = await StyxFs.MountAsync(new System.Net.Sockets.NetworkStream(await outer.ConnectSocketAsync(), ownsSocket: true),
            "root", nUname: 0, ct: Ct);

        foreach (var (mount, text) in new[] { ("one", "in a"), ("two", "in b") })
        {
            var directory = await fs.WalkAsync(mount, Ct);
            await fs.Client.LcreateAsync(directory, "f", LinuxOpenFlags.WriteOnly, 0x1A4, ct: Ct);
            await fs.Client.WriteAllAsync(directory, 0, System.Text.Encoding.UTF8.GetBytes(text), Ct);
            await fs.Client.ClunkAsync(directory, Ct);
        }
        Assert.Equal("in a", await fs.ReadTextAsync("one/f", Ct));
        Assert.Equal("in b", await fs.ReadTextAsync("two/f", Ct));

        for (var i = 0; i < 2; i++)
        {
            var refused = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadTextAsync("three/f", Ct));
            Assert.Equal(Errno.ENOENT, refused.Errno);
        }
        Assert.Equal("in a", await fs.ReadTextAsync("one/f", Ct));

        Assert.Equal(1, dials);
        // Each aname attached once on the connection, however often walks entered it; a refused one is asked again.
        Assert.Equal(1, server.Attaches.Count(a => a == "/a"));
        Assert.Equal(1, server.Attaches.Count(a => a == "/b"));
        Assert.Equal(2, server.Attaches.Count(a => a == "/nope"));
    }

    private sealed class TreesByAname(Dictionary<string, RamFileSystem> trees) : IFileSystem
    {
        public ConcurrentQueue<string> Attaches { get; } = new();

        public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
        {
            Attaches.Enqueue(request.Aname);
            return trees.TryGetValue(request.Aname, out var tree)
                ? tree.AttachAsync(request with { Aname = "" }, cancellationToken)
                : throw new StyxErrorException(Errno.ENOENT, $"no tree {request.Aname}");
        }
    }
}
