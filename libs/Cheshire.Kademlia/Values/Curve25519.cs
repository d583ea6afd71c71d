using System.Runtime.InteropServices;

namespace Cheshire.Kademlia.Values;

/// <summary>
/// X25519 on raw bytes, straight from libsodium (the native library NSec ships). Sealing a value needs a
/// fresh ephemeral key each time; NSec keeps every key and shared secret in guarded memory (mmap plus
/// mprotect per key), which made an encrypted put cost several times a signed one. Long-lived keys stay NSec's.
/// </summary>
internal static partial class Curve25519
{
    public const int KeySize = 32;

    static Curve25519()
    {
        if (sodium_init() < 0) throw new InvalidOperationException("libsodium failed to initialize.");
    }

    /// <summary>The public key of <paramref name="secretKey"/>.</summary>
    public static void PublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        if (crypto_scalarmult_curve25519_base(publicKey, secretKey) != 0)
            throw new InvalidOperationException("X25519 base point multiplication failed.");
    }

    /// <summary>The shared secret of a secret key and a peer's public key; false for a low-order (invalid) public key.</summary>
    public static bool Agree(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> peerPublicKey, Span<byte> shared) =>
        crypto_scalarmult_curve25519(shared, secretKey, peerPublicKey) == 0;

    [LibraryImport("libsodium")]
    private static partial int sodium_init();

    [LibraryImport("libsodium")]
    private static partial int crypto_scalarmult_curve25519_base(Span<byte> q, ReadOnlySpan<byte> n);

    [LibraryImport("libsodium")]
    private static partial int crypto_scalarmult_curve25519(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p);
}
