using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cheshire.Link;

/// <summary>Builds the self-signed certificate a node presents on a link: its TLS key plus a <see cref="LinkExtension"/>.</summary>
public static class LinkCertificate
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    /// <summary>
    /// A certificate for <paramref name="tlsKey"/> carrying <paramref name="extension"/> as is (critical), with the private key
    /// attached. The extension is not checked here: <see cref="LinkPeer.FromCertificate"/> on the other side does that.
    /// </summary>
    public static X509Certificate2 Create(ECDsa tlsKey, LinkExtension extension, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (notAfter <= notBefore)
            throw new ArgumentException($"A certificate's end ({notAfter:O}) must be after its start ({notBefore:O}).", nameof(notAfter));
        var request = new CertificateRequest($"CN={Convert.ToHexStringLower(extension.NodeId)}", tlsKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509Extension(new Oid(LinkExtension.Oid), extension.Encode(), critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], critical: false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }
}
