using System.Collections.Concurrent;
using System.Text;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// RemoteOptions.ForwardAname (styx-client's one session per remote node) across a reconnection: the new connection
/// attaches each aname again, once, for the fids held on it, and every tree works on the same fids.
/// </summary>
public sealed class ForwardAnameReconnectTests
{
    [Fact]
    public async Task EachAnameIsAttachedOnceOnTheNewConnectionAndItsHeldFidsWork()
    {
        var trees = new Namespace();
        trees.Mount("/a", new RamFileSystem());
        trees.Mount("/b", new RamFileSystem());
        var served = new AttachLog(trees);
        await using var server = new StyxSocketServer(() => served);
        server.Start();
        var remote = RemoteFileSystem.Create(RemoteFileSystem.UnixDialer(server.SocketPath),
            options: new RemoteOptions { ForwardAname = true, ConnectTimeout = TimeSpan.FromSeconds(5) });
        await using var client = await ThroughNamespace.StartAsync(remote, ("/one", "/a"), ("/two", "/b"));
        foreach (var (directory, text) in new[] { ("one", "in a"), ("two", "in b") })
        {
            var fid = await client.Fs.WalkAsync(directory);
            await client.Client.CreateAsync(fid, "f", 0x1A4, StyxOpenMode.Write);
            await client.Client.WriteAllAsync(fid, 0, Encoding.UTF8.GetBytes(text));
            await client.Client.ClunkAsync(fid);
        }
        var file = await client.OpenAsync("one/f", StyxOpenMode.Read);
        var held = await client.Fs.WalkAsync("two");
        Assert.Equal(["/a", "/b"], served.Anames.Order(StringComparer.Ordinal));

        await server.DropConnectionsAsync();

        Assert.Equal("in a", Encoding.UTF8.GetString(await client.ReadAsync(file, 0, 100)));
        Assert.Equal("two", (await client.Client.StatAsync(held)).Name);
        Assert.Equal("in b", await client.Fs.ReadTextAsync("two/f"));
        Assert.Equal(["f"], await client.Fs.ListAsync("one"));
        Assert.Equal(2, server.Connections);
        Assert.Equal(["/a", "/a", "/b", "/b"], served.Anames.Order(StringComparer.Ordinal));
    }

    /// <summary>The served tree, noting each attach's aname.</summary>
    private sealed class AttachLog(IFileSystem inner) : IFileSystem
    {
        public ConcurrentQueue<string> Anames { get; } = new();

        public ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken)
        {
            Anames.Enqueue(request.Aname);
            return inner.AttachAsync(request, cancellationToken);
        }
    }
}
