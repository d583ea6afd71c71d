using System.Security.Cryptography;
using System.Text;

namespace Cheshire.Identity;

/// <summary>
/// Proof that a node acts for a user: the user's public key and the user key's signature over
/// <c>"cheshire-user-node:" + node public key</c>. Carried wherever a node speaks for its user (the link certificate, a
/// published namespace entry); a verifier learns the uid without trusting the node's word for it.
/// Wire form: user public key (32 bytes) then signature (64 bytes).
/// </summary>
public sealed record UserBinding(byte[] UserPublicKey, byte[] Signature)
{
    public const int Length = 32 + 64;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("cheshire-user-node:");

    /// <summary>hex(SHA1(user public key)): the uid this binding proves.</summary>
    public string Uid => Convert.ToHexStringLower(SHA1.HashData(UserPublicKey));

    /// <summary>The user signs the node's public key.</summary>
    public static UserBinding Create(UserIdentity user, ReadOnlySpan<byte> nodePublicKey) =>
        new(user.PublicKey, user.Sign(Signed(nodePublicKey)));

    /// <summary>Whether the user key signed exactly <paramref name="nodePublicKey"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> nodePublicKey) =>
        UserPublicKey.Length == 32 && Signature.Length == 64 &&
        Ed25519Identity.Verify(UserPublicKey, Signed(nodePublicKey), Signature);

    public byte[] ToBytes() => [.. UserPublicKey, .. Signature];

    /// <summary>Parses the wire form; null when it is not <see cref="Length"/> bytes.</summary>
    public static UserBinding? FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Length ? new UserBinding(bytes[..32].ToArray(), bytes[32..].ToArray()) : null;

    private static byte[] Signed(ReadOnlySpan<byte> nodePublicKey) => [.. Context, .. nodePublicKey];
}
