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
        var fs = new RamFileSystem();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = ServeOneAsync(listener, fs, bob.Credentials, ct);
        var data = RandomNumberGenerator.GetBytes(1 << 20);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync((IPEndPoint)listener.LocalEndpoint, ct);
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
        var fs = new RamFileSystem();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serving = ServeOneAsync(listener, fs, tls ? bob.Credentials : null, ct);
        await using var relay = new RecordingRelay((IPEndPoint)listener.LocalEndpoint);

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

    /// <summary>Serves one connection until the client leaves; returns the uid the link proved (null without a link).</summary>
    private static async Task<string?> ServeOneAsync(TcpListener listener, RamFileSystem fs, LinkCredentials? credentials, CancellationToken ct)
    {
        using var socket = await listener.AcceptTcpClientAsync(ct);
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
