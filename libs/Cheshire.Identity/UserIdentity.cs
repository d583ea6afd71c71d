using NSec.Cryptography;

namespace Cheshire.Identity;

/// <summary>
/// A user's Ed25519 key pair. The user id (uid) is hex(SHA1(raw public key)), 40 lowercase hex digits: the owner
/// named by an export's "uid". All nodes of one user hold the same key (see <see cref="UserIdentityStore"/>).
/// </summary>
public sealed class UserIdentity : Ed25519Identity
{
    private UserIdentity(Key key) : base(key)
    {
    }

    /// <summary>hex(SHA1(public key)), lowercase.</summary>
    public string Uid => IdHex;

    public static UserIdentity Generate() => new(NewKey());

    /// <summary>Loads a key from its 32-byte Ed25519 seed.</summary>
    public static UserIdentity FromSeed(ReadOnlySpan<byte> seed) => new(KeyFromSeed(seed));

    /// <summary>Whether <paramref name="text"/> has the form of a uid: 40 hex digits (either case).</summary>
    public static bool IsUid(string text) => text.Length == IdLength * 2 && text.All(Uri.IsHexDigit);
}
