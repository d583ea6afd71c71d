using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Server;

namespace Cheshire.Link.Tests;

/// <summary>9P served and used over a link, through a relay that captures the wire as an eavesdropper would.</summary>
public sealed class NinePOverLinkTests
{
    private const string Secret = "the-cheshire-cat-grins-7f3a9c21e8";

    [Fact]
    public async Task AFileWrittenAndReadBackOverTheLinkNeverCrossesTheWireInTheClear()
    {
        var (readBack, captured) = await WriteAndReadThroughRelayAsync(tls: true);

        Assert.Equal(Secret, readBack);
        Assert.True(captured.Length > Secret.Length, "the relay carried the session");
        Assert.DoesNotContain(Secret, Encoding.Latin1.GetString(captured));
        Assert.DoesNotContain("9P2000", Encoding.Latin1.GetString(captured));
    }

    [Fact]
    public async Task WithoutTheLinkTheCaptureShowsTheFile()
    {
        // The same session in plain TCP: proves the capture would see the secret if it were there.
        var (readBack, captured) = await WriteAndReadThroughRelayAsync(tls: false);

        Assert.Equal(Secret, readBack);
        Assert.Contains(Secret, Encoding.Latin1.GetString(captured));
    }

    [Fact]
    public async Task AMebibyteCrossesTheLinkIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        using var alice = new TestNode();
        using var bob = new TestNode();
        var (endpoint, serving) = ServeOne(bob.Credentials, ct);
        var data = RandomNumberGenerator.GetBytes(1 << 20);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint, ct);
        var link = await LinkStream.ConnectAsync(tcp.GetStream(), alice.Credentials, bob.Node.NodeId, cancellationToken: ct);
        await using (var client = await StyxFs.MountAsync(link.Stream, uname: alice.User.Uid, ct: ct))
        {
            await CreateAsync(client, "big.bin", data, ct);
            Assert.Equal(data, await client.ReadAsync("big.bin", ct));
        }

        Assert.Equal(alice.User.Uid, await serving.WaitAsync(TimeSpan.FromSeconds(30), ct));
    }

    private static async Task<(string ReadBack, byte[] Captured)> WriteAndReadThroughRelayAsync(bool tls)
    {
        var ct = TestContext.Current.CancellationToken;
        using var alice = new TestNode();
        using var bob = new TestNode();
        var (endpoint, serving) = ServeOne(tls ? bob.Credentials : null, ct);
        await using var relay = new RecordingRelay(endpoint);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(relay.Endpoint, ct);
        Stream stream = tcp.GetStream();
        string? peerUid = null;
        if (tls)
        {
            var link = await LinkStream.ConnectAsync(stream, alice.Credentials, bob.Node.NodeId, cancellationToken: ct);
            stream = link.Stream;
            peerUid = link.Peer.Uid;
        }
        string readBack;
        await using (var client = await StyxFs.MountAsync(stream, uname: alice.User.Uid, ct: ct))
        {
            await CreateAsync(client, "secret.txt", Encoding.UTF8.GetBytes(Secret), ct);
            readBack = await client.ReadTextAsync("secret.txt", ct);
        }
        var servedUid = await serving.WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (tls)
        {
            Assert.Equal(bob.User.Uid, peerUid);
            Assert.Equal(alice.User.Uid, servedUid);
        }
        return (readBack, relay.Captured());
    }

    private static async Task CreateAsync(StyxFs client, string name, byte[] content, CancellationToken ct)
    {
        var file = client.Client.NewFid();
        await client.Client.WalkPathAsync(client.Root, file, "", ct);
        await client.Client.LcreateAsync(file, name, LinuxOpenFlags.ReadWrite, 0x1A4, ct: ct);
        await client.Client.WriteAllAsync(file, 0, content, ct);
        await client.Client.ClunkAsync(file, ct);
    }

    /// <summary>
    /// A fresh <see cref="RamFileSystem"/> served to one connection on 127.0.0.1 (over a link when given credentials) until the
    /// client leaves; the task gives the uid the link proved (null without a link).
    /// </summary>
    private static (IPEndPoint Endpoint, Task<string?> Served) ServeOne(LinkCredentials? credentials, CancellationToken ct)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint, ServeOneAsync(listener, new RamFileSystem(), credentials, ct));
    }

    private static async Task<string?> ServeOneAsync(TcpListener listener, RamFileSystem fs, LinkCredentials? credentials, CancellationToken ct)
    {
        TcpClient socket;
        using (listener)
            socket = await listener.AcceptTcpClientAsync(ct);
        using var _ = socket;
        Stream stream = socket.GetStream();
        LinkConnection? link = null;
        if (credentials is not null)
        {
            link = await LinkStream.AcceptAsync(stream, credentials, cancellationToken: ct);
            stream = link.Stream;
        }
        await using (stream)
            await new StyxServerConnection(new StreamDuplexPipe(stream), fs).RunAsync(ct);
        return link?.Peer.Uid;
    }
}
