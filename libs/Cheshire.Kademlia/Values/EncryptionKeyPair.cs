using System.Security.Cryptography;
using NSec.Cryptography;

namespace Cheshire.Kademlia.Values;

/// <summary>An X25519 key pair that values can be encrypted to.</summary>
public sealed class EncryptionKeyPair : IDisposable
{
    internal static readonly KeyAgreementAlgorithm Algorithm = KeyAgreementAlgorithm.X25519;

    private EncryptionKeyPair(Key key)
    {
        Key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        PublicKeyFingerprint = Fingerprint(PublicKey);
    }

    internal Key Key { get; }

    /// <summary>The raw 32-byte X25519 public key to give to senders.</summary>
    public byte[] PublicKey { get; }

    /// <summary>SHA1 of the public key: what an encrypted value names as its recipient.</summary>
    public byte[] PublicKeyFingerprint { get; }

    public static EncryptionKeyPair Generate() =>
        new(NSec.Cryptography.Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public static EncryptionKeyPair FromPrivateKey(ReadOnlySpan<byte> privateKey) =>
        new(NSec.Cryptography.Key.Import(Algorithm, privateKey, KeyBlobFormat.RawPrivateKey,
            new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport }));

    public byte[] ExportPrivateKey() => Key.Export(KeyBlobFormat.RawPrivateKey);

    public static byte[] Fingerprint(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != 32)
            throw new ArgumentException($"An X25519 public key is 32 bytes, not {publicKey.Length}.", nameof(publicKey));
        return SHA1.HashData(publicKey);
    }

    public void Dispose() => Key.Dispose();
}
