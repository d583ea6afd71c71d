using System.Security.Cryptography;
using NSec.Cryptography;

namespace Cheshire.Identity;

/// <summary>
/// A node's Ed25519 key pair. The node id is SHA1 of the raw public key, as in Kademlia's 160-bit space.
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    public const int NodeIdLength = 20;
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _key;

    private NodeIdentity(Key key)
    {
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        NodeId = SHA1.HashData(PublicKey);
    }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    public byte[] PublicKey { get; }

    /// <summary>SHA1 of <see cref="PublicKey"/>: 20 bytes.</summary>
    public byte[] NodeId { get; }

    public string NodeIdHex => Convert.ToHexStringLower(NodeId);

    public static NodeIdentity Generate() => new(Key.Create(Algorithm, Exportable));

    /// <summary>Loads a key from its 32-byte Ed25519 seed.</summary>
    public static NodeIdentity FromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != 32)
            throw new ArgumentException($"An Ed25519 seed is 32 bytes, not {seed.Length}.", nameof(seed));
        return new(Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey, Exportable));
    }

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

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
