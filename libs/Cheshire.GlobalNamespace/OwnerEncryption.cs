using System.Security.Cryptography;
using System.Text;
using Cheshire.Identity;
using Cheshire.Kademlia.Values;

namespace Cheshire.GlobalNamespace;

/// <summary>
/// The X25519 key owner-only entries are sealed to. Every node of a user holds the user key, so each derives the same
/// pair: private key = HKDF-SHA256(user seed, info "cheshire-owner-x25519-v1"). A separate derived key rather than
/// the Ed25519 key converted to Montgomery form keeps signing and key agreement apart, and nobody without the user
/// key can compute even the public half: others cannot tell which user an owner-only entry belongs to from its
/// recipient fingerprint. For the dht gRPC API: <see cref="PublicKey"/> is a Put's recipient_key, the private key
/// (<see cref="EncryptionKeyPair.ExportPrivateKey"/>) a Get's decryption_key.
/// </summary>
public static class OwnerEncryption
{
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("cheshire-owner-x25519-v1");

    /// <summary>The user's owner key pair; dispose it when done.</summary>
    public static EncryptionKeyPair KeyPair(UserIdentity user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var seed = user.ExportSeed();
        var privateKey = new byte[32];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, privateKey, salt: [], Info);
            return EncryptionKeyPair.FromPrivateKey(privateKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    /// <summary>The 32-byte X25519 public key owner-only entries of <paramref name="user"/> are sealed to.</summary>
    public static byte[] PublicKey(UserIdentity user)
    {
        using var pair = KeyPair(user);
        return pair.PublicKey;
    }
}
