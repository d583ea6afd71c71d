using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Cheshire.Link.Tests;

/// <summary>Peers that are not Cheshire links: plain TLS clients and servers, old TLS, no TLS at all, silence.</summary>
public sealed class ForeignPeerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AClientWithoutACertificateIsRefusedByTheServer()
    {
        var (refused, clientGotSession) = await ForeignClientAgainstALinkServerAsync(SslProtocols.Tls13, certificate: null);

        Assert.Equal(LinkFailure.NoCertificate, refused.Failure);
        Assert.Contains("no certificate", refused.Message);
        Assert.False(clientGotSession, "a refused client must not get a session");
    }

    [Fact]
    public async Task AClientCertificateWithoutTheExtensionIsRefused()
    {
        using var stranger = PlainCertificate();

        var (refused, clientGotSession) = await ForeignClientAgainstALinkServerAsync(SslProtocols.Tls13, stranger);

        Assert.Equal(LinkFailure.NoExtension, refused.Failure);
        Assert.Contains(LinkExtension.Oid, refused.Message);
        Assert.False(clientGotSession, "a refused client must not get a session");
    }

    [Fact]
    public async Task AClientCertificateWithAMalformedExtensionIsRefused()
    {
        using var junk = PlainCertificate(new X509Extension(new Oid(LinkExtension.Oid), [0x04, 0x03, 0x41, 0x42, 0x43], critical: true));

        var (refused, clientGotSession) = await ForeignClientAgainstALinkServerAsync(SslProtocols.Tls13, junk);

        Assert.Equal(LinkFailure.MalformedExtension, refused.Failure);
        Assert.Contains("malformed", refused.Message);
        Assert.False(clientGotSession, "a refused client must not get a session");
    }

    [Fact]
    public async Task AClientThatDoesNotSpeakTheLinkProtocolIsRefused()
    {
        using var alice = new TestNode();

        var (refused, clientGotSession) = await ForeignClientAgainstALinkServerAsync(SslProtocols.Tls13, alice.Credentials.Certificate, alpn: "h2");

        Assert.Equal(LinkFailure.Handshake, refused.Failure);
        Assert.Contains(LinkStream.ApplicationProtocolName, refused.Message);
        Assert.False(clientGotSession, "a refused client must not get a session");
    }

    [Fact]
    public async Task ATls12OnlyClientFails()
    {
        using var alice = new TestNode();

        var (refused, clientGotSession) = await ForeignClientAgainstALinkServerAsync(SslProtocols.Tls12, alice.Credentials.Certificate);

        Assert.Equal(LinkFailure.Handshake, refused.Failure);
        Assert.Contains("does not speak TLS 1.3", refused.Message);
        Assert.False(clientGotSession, "the TLS 1.2 client must not get a session");
    }

    [Fact]
    public async Task ATls12OnlyServerFails()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var (dialer, acceptor) = await Loopback.PairAsync();
        await using var old = new SslStream(acceptor);
        var serving = old.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = bob.Credentials.Certificate,
            EnabledSslProtocols = SslProtocols.Tls12,
            ClientCertificateRequired = true,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, ct);

        var refused = await Assert.ThrowsAsync<LinkAuthenticationException>(() =>
            LinkStream.ConnectAsync(dialer, alice.Credentials, bob.Node.NodeId, cancellationToken: ct).WaitAsync(Patience, ct));

        Assert.Equal(LinkFailure.Handshake, refused.Failure);
        Assert.Contains("does not speak TLS 1.3", refused.Message);
        await Assert.ThrowsAnyAsync<Exception>(() => serving);
    }

    [Fact]
    public async Task GarbageInsteadOfAClientHelloIsAClearErrorNotAHang()
    {
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var (dialer, acceptor) = await Loopback.PairAsync();
        var accepting = LinkStream.AcceptAsync(acceptor, bob.Credentials, cancellationToken: ct);

        await dialer.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: cheshire\r\n\r\n"), ct);

        var refused = await Assert.ThrowsAsync<LinkAuthenticationException>(() => accepting.WaitAsync(Patience, ct));
        Assert.Equal(LinkFailure.Handshake, refused.Failure);
        Assert.Contains("TLS 1.3 handshake failed", refused.Message);
        await dialer.DisposeAsync();
    }

    [Fact]
    public async Task GarbageInsteadOfAServerHelloIsAClearErrorNotAHang()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var (dialer, acceptor) = await Loopback.PairAsync();
        await acceptor.WriteAsync(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.6\r\n"), ct);

        var refused = await Assert.ThrowsAsync<LinkAuthenticationException>(() =>
            LinkStream.ConnectAsync(dialer, alice.Credentials, bob.Node.NodeId, cancellationToken: ct).WaitAsync(Patience, ct));

        Assert.Equal(LinkFailure.Handshake, refused.Failure);
        await acceptor.DisposeAsync();
    }

    [Fact]
    public async Task APeerThatHangsUpDuringTheHandshakeIsReportedAsClosed()
    {
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var (dialer, acceptor) = await Loopback.PairAsync();
        var accepting = LinkStream.AcceptAsync(acceptor, bob.Credentials, cancellationToken: ct);

        dialer.Dispose();

        var refused = await Assert.ThrowsAsync<LinkAuthenticationException>(() => accepting.WaitAsync(Patience, ct));
        Assert.Equal(LinkFailure.Closed, refused.Failure);
    }

    [Fact]
    public async Task ASilentPeerTimesOutWithinTheHandshakeTimeout()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var (dialer, acceptor) = await Loopback.PairAsync();
        var options = new LinkOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(300) };

        var refused = await Assert.ThrowsAsync<LinkAuthenticationException>(() =>
            LinkStream.ConnectAsync(dialer, alice.Credentials, bob.Node.NodeId, options, ct).WaitAsync(Patience, ct));

        Assert.Equal(LinkFailure.Timeout, refused.Failure);
        Assert.Contains("0.3 s", refused.Message);
        await acceptor.DisposeAsync();
    }

    [Fact]
    public async Task TheCallersCancellationIsACancellationNotAFailure()
    {
        using var bob = new TestNode();
        var (dialer, acceptor) = await Loopback.PairAsync();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var accepting = LinkStream.AcceptAsync(acceptor, bob.Credentials, cancellationToken: cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accepting.WaitAsync(Patience, TestContext.Current.CancellationToken));
        await dialer.DisposeAsync();
    }

    /// <summary>
    /// A plain TLS client (accepting any server) against <see cref="LinkStream.AcceptAsync"/>: the server's refusal, and
    /// whether the client got a working session anyway.
    /// </summary>
    private static async Task<(LinkAuthenticationException Refused, bool ClientGotSession)> ForeignClientAgainstALinkServerAsync(
        SslProtocols protocols, X509Certificate2? certificate, string alpn = LinkStream.ApplicationProtocolName)
    {
        using var bob = new TestNode();
        var ct = TestContext.Current.CancellationToken;
        var (dialer, acceptor) = await Loopback.PairAsync();
        var accepting = LinkStream.AcceptAsync(acceptor, bob.Credentials, cancellationToken: ct);
        await using var plain = new SslStream(dialer);
        var client = ForeignClientAsync(plain, protocols, certificate, alpn, ct);

        var refused = await Assert.ThrowsAsync<LinkAuthenticationException>(() => accepting.WaitAsync(Patience, ct));
        return (refused, await client.WaitAsync(Patience, ct));
    }

    private static async Task<bool> ForeignClientAsync(SslStream stream, SslProtocols protocols, X509Certificate2? certificate, string alpn,
        CancellationToken ct)
    {
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "",
                EnabledSslProtocols = protocols,
                ClientCertificates = certificate is null ? null : [certificate],
                ApplicationProtocols = [new SslApplicationProtocol(alpn)],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }, ct);
            // TLS 1.3: the client's handshake ends before the server has judged its certificate; the verdict comes next.
            return await stream.ReadAsync(new byte[1], ct) == 1;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            return false;
        }
    }

    private static X509Certificate2 PlainCertificate(params X509Extension[] extensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=stranger", key, HashAlgorithmName.SHA256);
        foreach (var extension in extensions)
            request.CertificateExtensions.Add(extension);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
