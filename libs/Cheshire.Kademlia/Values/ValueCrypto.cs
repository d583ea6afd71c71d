using System.Text;
using NSec.Cryptography;

namespace Cheshire.Kademlia.Values;

/// <summary>
/// Sealed box: a fresh ephemeral X25519 key agrees a secret with the recipient's key; HKDF-SHA256
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
        var recipient = PublicKey.Import(EncryptionKeyPair.Algorithm, recipientPublicKey, KeyBlobFormat.RawPublicKey);
        using var ephemeral = Key.Create(EncryptionKeyPair.Algorithm);
        var ephemeralPublic = ephemeral.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        using var shared = EncryptionKeyPair.Algorithm.Agree(ephemeral, recipient)
            ?? throw new ArgumentException("The recipient key is not a valid X25519 public key.", nameof(recipientPublicKey));
        using var key = DeriveKey(shared, ephemeralPublic, recipientPublicKey);
        var ciphertext = Aead.Encrypt(key, new byte[Aead.NonceSize], associatedData, plaintext);
        var output = new byte[32 + ciphertext.Length];
        ephemeralPublic.CopyTo(output, 0);
        ciphertext.CopyTo(output, 32);
        return output;
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
