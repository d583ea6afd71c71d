using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Cheshire.Kademlia.Values;

/// <summary>
/// Sealed box (sealing with raw X25519 from libsodium, HKDF and ChaCha20-Poly1305 from .NET; opening with NSec
/// keys; the two are the same construction, and the tests open one with the other): a fresh ephemeral X25519 key agrees a secret with the recipient's key; HKDF-SHA256
/// (salt = ephemeral public || recipient public) derives a ChaCha20-Poly1305 key used once, so the
/// nonce is zero. Output: ephemeral public key (32) || ciphertext with tag.
/// </summary>
internal static class ValueCrypto
{
    private static readonly AeadAlgorithm Aead = AeadAlgorithm.ChaCha20Poly1305;
    private static readonly KeyDerivationAlgorithm Kdf = KeyDerivationAlgorithm.HkdfSha256;
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("cheshire-dht-sealed-v1");
    public const int Overhead = 32 + 16;

    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> plaintext)
    {
        if (recipientPublicKey.Length != Curve25519.KeySize)
            throw new ArgumentException("The recipient key is not a valid X25519 public key.", nameof(recipientPublicKey));
        Span<byte> ephemeralSecret = stackalloc byte[Curve25519.KeySize];
        Span<byte> shared = stackalloc byte[Curve25519.KeySize];
        Span<byte> key = stackalloc byte[32];
        var output = new byte[32 + plaintext.Length + 16];
        try
        {
            RandomNumberGenerator.Fill(ephemeralSecret);
            var ephemeralPublic = output.AsSpan(0, 32);
            Curve25519.PublicKey(ephemeralSecret, ephemeralPublic);
            if (!Curve25519.Agree(ephemeralSecret, recipientPublicKey, shared))
                throw new ArgumentException("The recipient key is not a valid X25519 public key.", nameof(recipientPublicKey));
            Span<byte> salt = stackalloc byte[64];
            ephemeralPublic.CopyTo(salt);
            recipientPublicKey.CopyTo(salt[32..]);
            HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, key, salt, Info);
            if (System.Security.Cryptography.ChaCha20Poly1305.IsSupported)
            {
                using var aead = new System.Security.Cryptography.ChaCha20Poly1305(key);
                aead.Encrypt(stackalloc byte[12], plaintext, output.AsSpan(32, plaintext.Length), output.AsSpan(32 + plaintext.Length), associatedData);
            }
            else
            {
                using var nsecKey = NSec.Cryptography.Key.Import(Aead, key, KeyBlobFormat.RawSymmetricKey);
                Aead.Encrypt(nsecKey, new byte[Aead.NonceSize], associatedData, plaintext, output.AsSpan(32));
            }
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeralSecret);
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public static bool TryOpen(EncryptionKeyPair recipient, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> sealedData, out byte[] plaintext)
    {
        plaintext = [];
        if (sealedData.Length < Overhead) return false;
        if (!PublicKey.TryImport(EncryptionKeyPair.Algorithm, sealedData[..32], KeyBlobFormat.RawPublicKey, out var ephemeral) || ephemeral is null)
            return false;
        using var shared = EncryptionKeyPair.Algorithm.Agree(recipient.Key, ephemeral);
        if (shared is null) return false;
        using var key = DeriveKey(shared, sealedData[..32], recipient.PublicKey);
        var opened = Aead.Decrypt(key, new byte[Aead.NonceSize], associatedData, sealedData[32..]);
        if (opened is null) return false;
        plaintext = opened;
        return true;
    }

    private static Key DeriveKey(SharedSecret shared, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic)
    {
        Span<byte> salt = stackalloc byte[64];
        ephemeralPublic.CopyTo(salt);
        recipientPublic.CopyTo(salt[32..]);
        return Kdf.DeriveKey(shared, salt, Info, Aead);
    }
}
