using System.Security.Cryptography;
using NSec.Cryptography;

namespace Cheshire.Identity;

/// <summary>An Ed25519 key pair named by SHA1 of its raw public key (160 bits, 40 hex digits): a node or a user.</summary>
public abstract class Ed25519Identity : IDisposable
{
    public const int IdLength = 20;
    public const int SeedLength = 32;
    private protected static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    private protected Ed25519Identity(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        Id = SHA1.HashData(PublicKey);
    }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>SHA1 of <see cref="PublicKey"/>: 20 bytes.</summary>
    public byte[] Id { get; }

    /// <summary><see cref="Id"/> as 40 lowercase hex digits.</summary>
    public string IdHex => Convert.ToHexStringLower(Id);

    public byte[] ExportSeed() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public byte[] Sign(ReadOnlySpan<byte> data) => Algorithm.Sign(_key, data);

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64)
            return false;
        var key = NSec.Cryptography.PublicKey.Import(Algorithm, publicKey, KeyBlobFormat.RawPublicKey);
        return Algorithm.Verify(key, data, signature);
    }

    public void Dispose() => _key.Dispose();

    private protected static Key NewKey() => Key.Create(Algorithm, Exportable);

    private protected static Key KeyFromSeed(ReadOnlySpan<byte> seed) =>
        seed.Length == SeedLength
            ? Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey, Exportable)
            : throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, not {seed.Length}.", nameof(seed));

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
