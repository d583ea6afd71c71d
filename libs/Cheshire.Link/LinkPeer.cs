using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Cheshire.Link;

/// <summary>
/// The other end of a link, as proven by its certificate: the node (its Ed25519 key and id = SHA1 of it) and the user it
/// acts for (uid = hex(SHA1(user public key)), proven by the user's signature over the node key).
/// </summary>
public sealed record LinkPeer(byte[] NodeId, byte[] NodePublicKey, string Uid, byte[] UserPublicKey)
{
    /// <summary><see cref="NodeId"/> as 40 lowercase hex digits.</summary>
    public string NodeIdHex => Convert.ToHexStringLower(NodeId);

    public override string ToString() => $"node {NodeIdHex} (uid {Uid})";

    /// <summary>The same node acting for the same user (by value, not by array reference).</summary>
    public bool Equals(LinkPeer? other) =>
        other is not null && NodeId.AsSpan().SequenceEqual(other.NodeId) && Uid == other.Uid;

    public override int GetHashCode() => HashCode.Combine(NodeIdHex, Uid);

    /// <summary>
    /// Checks a peer's certificate: present, within its validity period at <paramref name="now"/>, carrying the Cheshire
    /// link extension whose node key signed the certificate's TLS key and whose user binding verifies for that node key.
    /// Throws <see cref="LinkAuthenticationException"/> naming the check that failed. Whether the peer holds the TLS key
    /// is TLS's business (its CertificateVerify); this proves what that key speaks for.
    /// </summary>
    public static LinkPeer FromCertificate(X509Certificate2? certificate, DateTimeOffset now)
    {
        if (certificate is null)
            throw new LinkAuthenticationException(LinkFailure.NoCertificate, "the peer presented no certificate (a Cheshire link needs one on both sides).");
        CheckValidity(certificate, now);
        var raw = certificate.Extensions[LinkExtension.Oid]
            ?? throw new LinkAuthenticationException(LinkFailure.NoExtension,
                $"the peer's certificate ({certificate.Subject}) has no Cheshire link extension ({LinkExtension.Oid}): it is not a Cheshire node certificate.");
        var extension = LinkExtension.Decode(raw.RawData);
        var nodeIdHex = Convert.ToHexStringLower(extension.NodeId);
        if (!extension.SignatureMatches(certificate.PublicKey.ExportSubjectPublicKeyInfo()))
            throw new LinkAuthenticationException(LinkFailure.BadSignature,
                $"the certificate claims node {nodeIdHex}, but that node key's signature over the certificate's TLS key does not verify.");
        if (!extension.Binding.Verify(extension.NodePublicKey))
            throw new LinkAuthenticationException(LinkFailure.BadBinding,
                $"the certificate's user binding claims uid {extension.Binding.Uid} for node {nodeIdHex}, but that user key's signature over the node key does not verify.");
        return new LinkPeer(extension.NodeId, extension.NodePublicKey, extension.Binding.Uid, extension.Binding.UserPublicKey);
    }

    /// <summary>Throws <see cref="LinkFailure.WrongNodeId"/> unless this peer is <paramref name="expectedNodeId"/>.</summary>
    public void Expect(ReadOnlySpan<byte> expectedNodeId)
    {
        if (!CryptographicOperations.FixedTimeEquals(NodeId, expectedNodeId))
            throw new LinkAuthenticationException(LinkFailure.WrongNodeId,
                $"expected node {Convert.ToHexStringLower(expectedNodeId)}, but the peer proved node {NodeIdHex} (uid {Uid}).");
    }

    private static void CheckValidity(X509Certificate2 certificate, DateTimeOffset now)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        if (now < notBefore)
            throw new LinkAuthenticationException(LinkFailure.NotTimeValid,
                $"the peer's certificate ({certificate.Subject}) is not valid before {notBefore:u} (now {now.ToUniversalTime():u}; is a clock wrong?).");
        if (now > notAfter)
            throw new LinkAuthenticationException(LinkFailure.NotTimeValid,
                $"the peer's certificate ({certificate.Subject}) expired at {notAfter:u} (now {now.ToUniversalTime():u}).");
    }
}
