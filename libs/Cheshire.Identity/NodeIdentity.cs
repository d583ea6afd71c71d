using NSec.Cryptography;

namespace Cheshire.Identity;

/// <summary>
/// A node's Ed25519 key pair. The node id is SHA1 of the raw public key, as in Kademlia's 160-bit space.
/// </summary>
public sealed class NodeIdentity : Ed25519Identity
{
    public const int NodeIdLength = IdLength;

    private NodeIdentity(Key key) : base(key)
    {
    }

    /// <summary>SHA1 of <see cref="Ed25519Identity.PublicKey"/>: 20 bytes.</summary>
    public byte[] NodeId => Id;

    public string NodeIdHex => IdHex;

    public static NodeIdentity Generate() => new(NewKey());

    /// <summary>Loads a key from its 32-byte Ed25519 seed.</summary>
    public static NodeIdentity FromSeed(ReadOnlySpan<byte> seed) => new(KeyFromSeed(seed));
}
