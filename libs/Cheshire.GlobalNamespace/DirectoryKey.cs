using System.Security.Cryptography;
using System.Text;
using Cheshire.Kademlia;

namespace Cheshire.GlobalNamespace;

/// <summary>
/// Where a directory's children live in the DHT: SHA1(UTF-8 of the normalized path, a zero byte, UTF-8 of the salt).
/// The zero byte (never part of a path) keeps networks apart: without it "/a" in the network "bc" and "/ab" in the
/// network "c" would share a key, and entries signed for one would verify in the other.
/// </summary>
public static class DirectoryKey
{
    /// <summary>The DHT key of <paramref name="directoryPath"/>'s children in the network <paramref name="salt"/>.</summary>
    /// <exception cref="ArgumentException">The path is not absolute or has a bad component (see <see cref="NamespacePath"/>).</exception>
    public static NodeId For(string directoryPath, string salt)
    {
        ArgumentNullException.ThrowIfNull(salt);
        var path = NamespacePath.Normalize(directoryPath);
        byte[] input = [.. Encoding.UTF8.GetBytes(path), 0, .. Encoding.UTF8.GetBytes(salt)];
        return new NodeId(SHA1.HashData(input));
    }
}
