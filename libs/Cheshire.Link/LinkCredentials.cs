using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cheshire.Identity;

namespace Cheshire.Link;

/// <summary>
/// What a node presents on its links: a self-signed certificate for a fresh ECDSA P-256 TLS key (.NET's TLS cannot use
/// Ed25519 keys), carrying a <see cref="LinkExtension"/> signed by the node key, with the user binding. Make new ones
/// before <see cref="NotAfter"/>; links already up are not affected by expiry.
/// </summary>
public sealed class LinkCredentials : IDisposable
{
    /// <summary>How long a certificate is valid by default.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(30);

    /// <summary>Certificates start this far in the past so that a peer whose clock is a little behind accepts them.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromHours(1);

    private LinkCredentials(X509Certificate2 certificate, LinkPeer self)
    {
        Certificate = certificate;
        Self = self;
        Context = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Who these credentials prove to be: what a peer learns.</summary>
    public LinkPeer Self { get; }

    public DateTimeOffset NotAfter => new(Certificate.NotAfter.ToUniversalTime());

    internal SslStreamCertificateContext Context { get; }

    /// <summary>Credentials for <paramref name="node"/> acting for <paramref name="user"/> (the user key signs the node key here).</summary>
    public static LinkCredentials Create(NodeIdentity node, UserIdentity user, TimeSpan? lifetime = null, TimeProvider? clock = null) =>
        Create(node, UserBinding.Create(user, node.PublicKey), lifetime, clock);

    /// <summary>Credentials for <paramref name="node"/> with a binding its user made for it elsewhere (the node need not hold the user key).</summary>
    public static LinkCredentials Create(NodeIdentity node, UserBinding binding, TimeSpan? lifetime = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(binding);
        var span = lifetime ?? DefaultLifetime;
        if (span <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(lifetime), span, "A certificate lifetime must be positive.");
        if (!binding.Verify(node.PublicKey))
            throw new ArgumentException($"The user binding for uid {binding.Uid} was not made for node {node.NodeIdHex}.", nameof(binding));
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        using var tlsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var extension = LinkExtension.Create(node, binding, tlsKey.ExportSubjectPublicKeyInfo());
        return FromCertificate(LinkCertificate.Create(tlsKey, extension, now - ClockSkewAllowance, now + span));
    }

    /// <summary>
    /// Wraps a certificate with its private key as is, without checking it (tests present broken ones this way).
    /// <see cref="Self"/> is what the extension claims, or empty when it has none.
    /// </summary>
    internal static LinkCredentials FromCertificate(X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
            throw new ArgumentException("Link credentials need the certificate's private key.", nameof(certificate));
        var raw = certificate.Extensions[LinkExtension.Oid];
        var claimed = raw is null ? null : LinkExtension.Decode(raw.RawData);
        var self = claimed is null
            ? new LinkPeer([], [], "", [])
            : new LinkPeer(claimed.NodeId, claimed.NodePublicKey, claimed.Binding.Uid, claimed.Binding.UserPublicKey);
        return new LinkCredentials(certificate, self);
    }

    public void Dispose() => Certificate.Dispose();
}
