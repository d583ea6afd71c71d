using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Cheshire.Identity;

namespace Cheshire.Link;

/// <summary>
/// Establishes a link over a connected transport (usually a TCP stream): TLS 1.3, both sides present their
/// <see cref="LinkCredentials"/>, no CA. The dialer names the node id it wants (from a signed DHT entry) and refuses any
/// other; the acceptor learns who called. After the handshake the acceptor sends one byte, <see cref="Accepted"/>, so
/// a dialer whose certificate was refused learns it here rather than on its first read (in TLS 1.3 the client's
/// handshake ends before the server has checked the client's certificate).
/// <code>
/// await using var link = await LinkStream.ConnectAsync(tcp.GetStream(), credentials, entry.NodeId, ct: ct);
/// await using var fs = await StyxFs.MountAsync(link.Stream, uname: credentials.Self.Uid);
/// </code>
/// The transport belongs to the link from the call on: it is disposed with the link, or at once when the handshake fails.
/// </summary>
public static class LinkStream
{
    /// <summary>The ALPN protocol id both sides require.</summary>
    public const string ApplicationProtocolName = "cheshire-link/1";

    public const byte Accepted = 0x01;

    private static readonly SslApplicationProtocol ApplicationProtocol = new(ApplicationProtocolName);

    /// <summary>
    /// Dials: authenticates the server as node <paramref name="expectedNodeId"/> (20 bytes, SHA1 of its node key) and
    /// presents <paramref name="mine"/>. Throws <see cref="LinkAuthenticationException"/> saying why when the link cannot be made.
    /// </summary>
    public static async Task<LinkConnection> ConnectAsync(Stream transport, LinkCredentials mine, ReadOnlyMemory<byte> expectedNodeId,
        LinkOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(mine);
        if (expectedNodeId.Length != NodeIdentity.NodeIdLength)
            throw new ArgumentException($"A node id is {NodeIdentity.NodeIdLength} bytes, not {expectedNodeId.Length}.", nameof(expectedNodeId));
        options = (options ?? LinkOptions.Default).Validate();
        var check = new PeerCheck(expectedNodeId.ToArray(), options.Clock);
        var buffered = Buffered(ref transport, options);
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        var tls = new SslClientAuthenticationOptions
        {
            TargetHost = "",
            ClientCertificateContext = mine.Context,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowTlsResume = false,
            ApplicationProtocols = [ApplicationProtocol],
            RemoteCertificateValidationCallback = (_, certificate, _, _) => check.Validate(certificate),
        };
        return await HandshakeAsync(ssl, check, buffered, options, cancellationToken, async ct =>
        {
            await ssl.AuthenticateAsClientAsync(tls, ct);
            await ReadAcceptanceAsync(ssl, ct);
        });
    }

    /// <summary>Accepts: authenticates the caller (any Cheshire node with a valid certificate) and presents <paramref name="mine"/>.</summary>
    public static async Task<LinkConnection> AcceptAsync(Stream transport, LinkCredentials mine,
        LinkOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(mine);
        options = (options ?? LinkOptions.Default).Validate();
        var check = new PeerCheck(expectedNodeId: null, options.Clock);
        var buffered = Buffered(ref transport, options);
        var ssl = new SslStream(transport, leaveInnerStreamOpen: false);
        var tls = new SslServerAuthenticationOptions
        {
            ServerCertificateContext = mine.Context,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            AllowTlsResume = false,
            ApplicationProtocols = [ApplicationProtocol],
            RemoteCertificateValidationCallback = (_, certificate, _, _) => check.Validate(certificate),
        };
        return await HandshakeAsync(ssl, check, buffered, options, cancellationToken, async ct =>
        {
            await ssl.AuthenticateAsServerAsync(tls, ct);
            // Only a peer that passed every check gets here: tell it so.
            await ssl.WriteAsync(new[] { Accepted }, ct);
            await ssl.FlushAsync(ct);
        });
    }

    /// <summary>With <see cref="LinkOptions.BufferSize"/>, TLS runs over a <see cref="LinkTransport"/> around the transport.</summary>
    private static LinkTransport? Buffered(ref Stream transport, LinkOptions options)
    {
        if (options.BufferSize == 0) return null;
        var buffered = new LinkTransport(transport, options.BufferSize);
        transport = buffered;
        return buffered;
    }

    private static async Task<LinkConnection> HandshakeAsync(SslStream ssl, PeerCheck check, LinkTransport? buffered, LinkOptions options,
        CancellationToken cancellationToken, Func<CancellationToken, Task> handshake)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        try
        {
            await handshake(timeout.Token);
            if (ssl.SslProtocol != SslProtocols.Tls13)
                throw new LinkAuthenticationException(LinkFailure.Handshake, $"the link negotiated {ssl.SslProtocol}, not TLS 1.3.");
            if (ssl.NegotiatedApplicationProtocol != ApplicationProtocol)
                throw new LinkAuthenticationException(LinkFailure.Handshake,
                    $"the peer did not agree to the application protocol {ApplicationProtocolName} (ALPN).");
            if (buffered is not null) buffered.Coalescing = true;
            return new LinkConnection(ssl, check.Peer ?? throw new InvalidOperationException("TLS completed without checking the peer's certificate."));
        }
        catch (Exception e)
        {
            await ssl.DisposeAsync();
            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                throw;
            throw check.Failure ?? Describe(e, options);
        }
    }

    private static async Task ReadAcceptanceAsync(SslStream ssl, CancellationToken ct)
    {
        var answer = new byte[1];
        int read;
        try
        {
            read = await ssl.ReadAsync(answer, ct);
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            throw new LinkAuthenticationException(LinkFailure.Refused, $"the server refused this node's certificate: {Messages(e)}.", e);
        }
        if (read == 0)
            throw new LinkAuthenticationException(LinkFailure.Refused,
                "the server closed the link right after the TLS handshake: it refused this node's certificate (its log says why).");
        if (answer[0] != Accepted)
            throw new LinkAuthenticationException(LinkFailure.Handshake, $"the server answered 0x{answer[0]:x2}, not the link's acceptance byte: not a Cheshire link.");
    }

    private static LinkAuthenticationException Describe(Exception e, LinkOptions options) => e switch
    {
        LinkAuthenticationException link => link,
        OperationCanceledException => new(LinkFailure.Timeout,
            $"no TLS 1.3 link handshake completed within {options.HandshakeTimeout.TotalSeconds:0.###} s (is the peer a Cheshire link endpoint?).", e),
        IOException when IsEndOfStream(e) => new(LinkFailure.Closed, $"the peer closed the connection during the TLS handshake: {Messages(e)}.", e),
        AuthenticationException or IOException or System.ComponentModel.Win32Exception => new(LinkFailure.Handshake,
            $"the TLS 1.3 handshake failed ({Hint(Messages(e))}): {Messages(e)}.", e),
        _ => new(LinkFailure.Handshake, $"the TLS handshake failed: {Messages(e)}.", e),
    };

    private static string Hint(string messages) =>
        messages.Contains("application protocol", StringComparison.OrdinalIgnoreCase)
            ? $"the peer does not speak {ApplicationProtocolName} (ALPN)"
            : messages.Contains("protocol version", StringComparison.OrdinalIgnoreCase) || messages.Contains("unsupported protocol", StringComparison.OrdinalIgnoreCase)
                ? "the peer does not speak TLS 1.3"
                : "is the peer a Cheshire link endpoint speaking TLS 1.3?";

    private static bool IsEndOfStream(Exception e) =>
        e.Message.Contains("EOF", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("0 bytes", StringComparison.Ordinal);

    /// <summary>The messages of an exception and its inner ones (OpenSSL's reason is usually innermost).</summary>
    private static string Messages(Exception e)
    {
        var parts = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (!x.Message.Contains("see inner exception", StringComparison.OrdinalIgnoreCase) && !parts.Contains(x.Message.TrimEnd('.')))
                parts.Add(x.Message.TrimEnd('.'));
        return string.Join(": ", parts);
    }

    /// <summary>Runs the checks inside the TLS validation callback and keeps the verdict for the caller.</summary>
    private sealed class PeerCheck(byte[]? expectedNodeId, TimeProvider clock)
    {
        public LinkPeer? Peer { get; private set; }
        public LinkAuthenticationException? Failure { get; private set; }

        public bool Validate(X509Certificate? certificate)
        {
            try
            {
                var peer = LinkPeer.FromCertificate(AsCertificate2(certificate), clock.GetUtcNow());
                if (expectedNodeId is not null)
                    peer.Expect(expectedNodeId);
                Peer = peer;
                return true;
            }
            catch (LinkAuthenticationException e)
            {
                Failure = e;
                return false;
            }
        }

        private static X509Certificate2? AsCertificate2(X509Certificate? certificate) => certificate switch
        {
            null => null,
            X509Certificate2 two => two,
            _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
        };
    }
}
