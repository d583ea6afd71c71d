using System.Formats.Asn1;
using Cheshire.Identity;

namespace Cheshire.Link.Tests;

public sealed class LinkExtensionTests
{
    [Fact]
    public void TheExtensionRoundTripsAndVerifiesOnlyForTheKeyItSigned()
    {
        using var node = new TestNode();
        var spki = node.Credentials.Certificate.PublicKey.ExportSubjectPublicKeyInfo();
        var extension = LinkExtension.Create(node.Node, node.Binding, spki);

        var decoded = LinkExtension.Decode(extension.Encode());

        Assert.Equal(node.Node.PublicKey, decoded.NodePublicKey);
        Assert.Equal(node.Node.NodeId, decoded.NodeId);
        Assert.Equal(node.User.Uid, decoded.Binding.Uid);
        Assert.True(decoded.SignatureMatches(spki));
        using var other = new TestNode();
        Assert.False(decoded.SignatureMatches(other.Credentials.Certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    [Fact]
    public void CredentialsCarryTheExtensionAndProveTheirOwnNode()
    {
        using var node = new TestNode();

        var peer = LinkPeer.FromCertificate(node.Credentials.Certificate, DateTimeOffset.UtcNow);

        Assert.Equal(node.Node.NodeIdHex, peer.NodeIdHex);
        Assert.Equal(node.User.Uid, peer.Uid);
        Assert.Equal(node.Node.NodeIdHex, node.Credentials.Self.NodeIdHex);
        Assert.True(node.Credentials.Certificate.Extensions[LinkExtension.Oid]!.Critical);
        Assert.True(node.Credentials.NotAfter > DateTimeOffset.UtcNow.AddDays(29));
    }

    [Fact]
    public void AnotherVersionIsMalformedAndSaysWhichVersion()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(2);
            writer.WriteOctetString(new byte[32]);
        }

        var e = Assert.Throws<LinkAuthenticationException>(() => LinkExtension.Decode(writer.Encode()));

        Assert.Equal(LinkFailure.MalformedExtension, e.Failure);
        Assert.Contains("version 2 is not supported", e.Message);
    }

    [Fact]
    public void AShortKeyIsMalformedAndSaysWhichField()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteOctetString(new byte[31]);
        }

        var e = Assert.Throws<LinkAuthenticationException>(() => LinkExtension.Decode(writer.Encode()));

        Assert.Contains("node public key is 31 bytes, not 32", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("0403414243")]
    public void BytesThatAreNotTheStructureAreMalformed(string hex)
    {
        var e = Assert.Throws<LinkAuthenticationException>(() => LinkExtension.Decode(Convert.FromHexString(hex)));

        Assert.Equal(LinkFailure.MalformedExtension, e.Failure);
        Assert.Contains(LinkExtension.Oid, e.Message);
    }

    [Fact]
    public void NoCertificateIsRefused()
    {
        var e = Assert.Throws<LinkAuthenticationException>(() => LinkPeer.FromCertificate(null, DateTimeOffset.UtcNow));

        Assert.Equal(LinkFailure.NoCertificate, e.Failure);
    }

    [Fact]
    public void CredentialsRefuseABindingMadeForAnotherNode()
    {
        using var node = NodeIdentity.Generate();
        using var other = new TestNode();

        var e = Assert.Throws<ArgumentException>(() => LinkCredentials.Create(node, other.Binding));

        Assert.Contains(other.User.Uid, e.Message);
        Assert.Contains(node.NodeIdHex, e.Message);
    }

    [Fact]
    public async Task BadArgumentsAreRefusedBeforeAnyByteIsSent()
    {
        using var node = new TestNode();
        var (dialer, acceptor) = await Loopback.PairAsync();
        await using var _ = dialer;
        await using var __ = acceptor;

        var shortId = await Assert.ThrowsAsync<ArgumentException>(() =>
            LinkStream.ConnectAsync(dialer, node.Credentials, new byte[19], cancellationToken: TestContext.Current.CancellationToken));
        var badTimeout = await Assert.ThrowsAsync<ArgumentException>(() =>
            LinkStream.AcceptAsync(acceptor, node.Credentials, new LinkOptions { HandshakeTimeout = TimeSpan.Zero }, TestContext.Current.CancellationToken));

        Assert.Contains("20 bytes, not 19", shortId.Message);
        Assert.Contains("HandshakeTimeout", badTimeout.Message);
    }
}
