using System.Formats.Asn1;
using System.Security.Cryptography;
using Cheshire.Identity;

namespace Cheshire.Link;

/// <summary>
/// The certificate extension that binds a TLS key to a Cheshire node and its user, as libp2p's TLS handshake binds a
/// certificate to a peer key. DER:
/// <code>
/// CheshireLinkKey ::= SEQUENCE {
///   version        INTEGER,       -- 1
///   nodePublicKey  OCTET STRING,  -- raw Ed25519, 32 bytes; node id = SHA1(nodePublicKey)
///   nodeSignature  OCTET STRING,  -- Ed25519 by the node key over "cheshire-link-tls:" || SubjectPublicKeyInfo (DER)
///   userPublicKey  OCTET STRING,  -- raw Ed25519, 32 bytes; uid = hex(SHA1(userPublicKey))
///   userSignature  OCTET STRING } -- the UserBinding: Ed25519 by the user key over "cheshire-user-node:" || nodePublicKey
/// </code>
/// </summary>
public sealed record LinkExtension(byte[] NodePublicKey, byte[] NodeSignature, UserBinding Binding)
{
    /// <summary>
    /// A UUID-derived OID (ITU-T X.667: 2.25 followed by a UUID as an integer, here 1f9e6295-a5a2-43ed-9a9d-2ea914f550e0),
    /// private to Cheshire without registration.
    /// </summary>
    public const string Oid = "2.25.42028450305379460699287001915586859232";

    public const int Version = 1;
    private const int KeyLength = 32;
    private const int SignatureLength = 64;
    private static readonly byte[] Domain = "cheshire-link-tls:"u8.ToArray();

    /// <summary>SHA1 of the node public key: the node id the certificate claims.</summary>
    public byte[] NodeId => SHA1.HashData(NodePublicKey);

    /// <summary>What the node key signs: the domain string then the certificate's SubjectPublicKeyInfo.</summary>
    public static byte[] SignedData(ReadOnlySpan<byte> subjectPublicKeyInfo) => [.. Domain, .. subjectPublicKeyInfo];

    /// <summary>The node signs <paramref name="subjectPublicKeyInfo"/>, the TLS key of the certificate to carry this.</summary>
    public static LinkExtension Create(NodeIdentity node, UserBinding binding, ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        new(node.PublicKey, node.Sign(SignedData(subjectPublicKeyInfo)), binding);

    /// <summary>Whether the node key signed exactly this TLS key.</summary>
    public bool SignatureMatches(ReadOnlySpan<byte> subjectPublicKeyInfo) =>
        Ed25519Identity.Verify(NodePublicKey, SignedData(subjectPublicKeyInfo), NodeSignature);

    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(Version);
            writer.WriteOctetString(NodePublicKey);
            writer.WriteOctetString(NodeSignature);
            writer.WriteOctetString(Binding.UserPublicKey);
            writer.WriteOctetString(Binding.Signature);
        }
        return writer.Encode();
    }

    /// <summary>Parses the DER form; <see cref="LinkAuthenticationException"/> (<see cref="LinkFailure.MalformedExtension"/>) says what is wrong.</summary>
    public static LinkExtension Decode(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            if (!sequence.TryReadInt32(out var version))
                throw Malformed("its version is not a small integer");
            if (version != Version)
                throw Malformed($"version {version} is not supported (this node speaks version {Version})");
            var nodeKey = Read(sequence, "node public key", KeyLength);
            var nodeSignature = Read(sequence, "node signature", SignatureLength);
            var userKey = Read(sequence, "user public key", KeyLength);
            var userSignature = Read(sequence, "user signature", SignatureLength);
            sequence.ThrowIfNotEmpty();
            return new LinkExtension(nodeKey, nodeSignature, new UserBinding(userKey, userSignature));
        }
        catch (AsnContentException e)
        {
            throw Malformed($"it is not valid DER ({e.Message})", e);
        }
    }

    private static byte[] Read(AsnReader reader, string what, int length)
    {
        var bytes = reader.ReadOctetString();
        return bytes.Length == length ? bytes : throw Malformed($"its {what} is {bytes.Length} bytes, not {length}");
    }

    private static LinkAuthenticationException Malformed(string why, Exception? inner = null) =>
        new(LinkFailure.MalformedExtension, $"the certificate's Cheshire link extension ({Oid}) is malformed: {why}.", inner);
}
