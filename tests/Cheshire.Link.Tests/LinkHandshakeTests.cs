using Cheshire.Identity;

namespace Cheshire.Link.Tests;

public sealed class LinkHandshakeTests
{
    [Fact]
    public async Task BothSidesLearnEachOthersNodeIdAndUid()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();

        await using var link = await Handshake.RunAsync(alice.Credentials, bob.Credentials, bob.Node.NodeId);

        var dialer = await link.Dialer;
        var acceptor = await link.Acceptor;
        Assert.Equal(bob.Node.NodeIdHex, dialer.Peer.NodeIdHex);
        Assert.Equal(bob.User.Uid, dialer.Peer.Uid);
        Assert.Equal(bob.Node.PublicKey, dialer.Peer.NodePublicKey);
        Assert.Equal(alice.Node.NodeIdHex, acceptor.Peer.NodeIdHex);
        Assert.Equal(alice.User.Uid, acceptor.Peer.Uid);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, dialer.Stream.SslProtocol);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, acceptor.Stream.SslProtocol);
    }

    [Fact]
    public async Task BytesCrossTheLinkBothWays()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        await using var link = await Handshake.RunAsync(alice.Credentials, bob.Credentials, bob.Node.NodeId);
        var (dialer, acceptor) = (await link.Dialer, await link.Acceptor);
        var ct = TestContext.Current.CancellationToken;

        await dialer.Stream.WriteAsync("ping"u8.ToArray(), ct);
        var received = new byte[4];
        await acceptor.Stream.ReadExactlyAsync(received, ct);
        await acceptor.Stream.WriteAsync("pong"u8.ToArray(), ct);
        await dialer.Stream.ReadExactlyAsync(received, ct);

        Assert.Equal("pong"u8.ToArray(), received);
    }

    [Fact]
    public async Task NodesOfOneUserShareTheUid()
    {
        using var user = UserIdentity.Generate();
        using var laptop = new TestNode(user);
        using var server = new TestNode(user);

        await using var link = await Handshake.RunAsync(laptop.Credentials, server.Credentials, server.Node.NodeId);

        Assert.Equal(user.Uid, (await link.Acceptor).Peer.Uid);
        Assert.Equal(user.Uid, (await link.Dialer).Peer.Uid);
        Assert.NotEqual((await link.Acceptor).Peer.NodeIdHex, (await link.Dialer).Peer.NodeIdHex);
    }

    [Fact]
    public async Task TheDialerRefusesAServerThatIsNotTheExpectedNode()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        using var mallory = new TestNode();

        await using var link = await Handshake.RunAsync(alice.Credentials, mallory.Credentials, bob.Node.NodeId);

        var refused = await Handshake.FailsAsync(link.Dialer);
        Assert.Equal(LinkFailure.WrongNodeId, refused.Failure);
        Assert.Contains(bob.Node.NodeIdHex, refused.Message);
        Assert.Contains(mallory.Node.NodeIdHex, refused.Message);
        await link.AssertAcceptorGetsNothingAsync();
    }

    [Fact]
    public async Task AServerWhoseExtensionWasSignedByAnotherNodeKeyIsRefused()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        using var mallory = new TestNode();
        // Mallory claims Bob's node key but can only sign with her own.
        using var forged = mallory.Forge(claimed: bob.Node, signer: mallory.Node, binding: bob.Binding);

        await using var link = await Handshake.RunAsync(alice.Credentials, forged, bob.Node.NodeId);

        var refused = await Handshake.FailsAsync(link.Dialer);
        Assert.Equal(LinkFailure.BadSignature, refused.Failure);
        Assert.Contains(bob.Node.NodeIdHex, refused.Message);
        Assert.Contains("signature", refused.Message);
    }

    [Fact]
    public async Task AClientWhoseExtensionWasSignedByAnotherNodeKeyIsRefusedAndToldSo()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        using var mallory = new TestNode();
        using var forged = mallory.Forge(claimed: alice.Node, signer: mallory.Node, binding: alice.Binding);

        await using var link = await Handshake.RunAsync(forged, bob.Credentials, bob.Node.NodeId);

        var refused = await Handshake.FailsAsync(link.Acceptor);
        Assert.Equal(LinkFailure.BadSignature, refused.Failure);
        Assert.Contains(alice.Node.NodeIdHex, refused.Message);
        // The forger completed its side of TLS 1.3 but learns at connect that it was turned away.
        Assert.Equal(LinkFailure.Refused, (await Handshake.FailsAsync(link.Dialer)).Failure);
    }

    [Fact]
    public async Task AUserBindingMadeForAnotherNodeIsRefused()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        using var mallory = new TestNode();
        // Mallory presents Bob's user binding (made for Bob's node key) with her own node key to pass as Bob's user.
        using var forged = mallory.Forge(binding: bob.Binding);

        await using var link = await Handshake.RunAsync(forged, alice.Credentials, alice.Node.NodeId);

        var refused = await Handshake.FailsAsync(link.Acceptor);
        Assert.Equal(LinkFailure.BadBinding, refused.Failure);
        Assert.Contains(bob.User.Uid, refused.Message);
        Assert.Contains(mallory.Node.NodeIdHex, refused.Message);
    }

    [Fact]
    public async Task ATamperedUserBindingIsRefused()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var signature = bob.Binding.Signature;
        signature[10] ^= 0x01;
        using var tampered = bob.Forge(binding: bob.Binding with { Signature = signature });

        await using var link = await Handshake.RunAsync(alice.Credentials, tampered, bob.Node.NodeId);

        var refused = await Handshake.FailsAsync(link.Dialer);
        Assert.Equal(LinkFailure.BadBinding, refused.Failure);
        Assert.Contains(bob.User.Uid, refused.Message);
    }

    [Fact]
    public async Task AnExpiredCertificateIsRefusedOnEitherSide()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var now = DateTimeOffset.UtcNow;
        using var expired = bob.Forge(notBefore: now.AddDays(-2), notAfter: now.AddDays(-1));
        using var expiredAlice = alice.Forge(notBefore: now.AddDays(-2), notAfter: now.AddDays(-1));

        await using (var link = await Handshake.RunAsync(alice.Credentials, expired, bob.Node.NodeId))
        {
            var refused = await Handshake.FailsAsync(link.Dialer);
            Assert.Equal(LinkFailure.NotTimeValid, refused.Failure);
            Assert.Contains("expired", refused.Message);
        }
        await using (var link = await Handshake.RunAsync(expiredAlice, bob.Credentials, bob.Node.NodeId))
        {
            Assert.Equal(LinkFailure.NotTimeValid, (await Handshake.FailsAsync(link.Acceptor)).Failure);
            Assert.Equal(LinkFailure.Refused, (await Handshake.FailsAsync(link.Dialer)).Failure);
        }
    }

    [Fact]
    public async Task ACertificateNotYetValidIsRefused()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var now = DateTimeOffset.UtcNow;
        using var future = bob.Forge(notBefore: now.AddDays(1), notAfter: now.AddDays(2));

        await using var link = await Handshake.RunAsync(alice.Credentials, future, bob.Node.NodeId);

        var refused = await Handshake.FailsAsync(link.Dialer);
        Assert.Equal(LinkFailure.NotTimeValid, refused.Failure);
        Assert.Contains("not valid before", refused.Message);
    }
}
