using System.Security.Cryptography;
using System.Text;
using Cheshire.Identity;
using NSec.Cryptography;

namespace Cheshire.MainlineDht.Node;

/// <summary>
/// The key that signs this node's BEP 44 mutable items: an Ed25519 key whose 32-byte seed is
/// HKDF-SHA256(node key seed, info "cheshire/mainline/bep44/v1"). It is derived, never stored, so it is the same across
/// restarts and for every module of the node, and it is not the node key itself (a BEP 44 signature can never be
/// replayed as a Cheshire signature).
/// </summary>
public sealed class Bep44Signer : IDisposable
{
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("cheshire/mainline/bep44/v1");

    public Bep44Signer(NodeIdentity identity)
    {
        var seed = identity.ExportSeed();
        try
        {
            var derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, seed, 32, salt: [], info: Info);
            Key = Key.Import(SignatureAlgorithm.Ed25519, derived, KeyBlobFormat.RawPrivateKey);
            CryptographicOperations.ZeroMemory(derived);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
        PublicKey = Key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    public Key Key { get; }
    public byte[] PublicKey { get; }

    public void Dispose() => Key.Dispose();
}
