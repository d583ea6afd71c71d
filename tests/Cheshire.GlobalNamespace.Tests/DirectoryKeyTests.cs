using System.Security.Cryptography;
using System.Text;
using Cheshire.Kademlia;

namespace Cheshire.GlobalNamespace.Tests;

public sealed class DirectoryKeyTests
{
    [Fact]
    public void TheKeyIsSha1OfThePathAZeroByteAndTheSalt()
    {
        var expected = new NodeId(SHA1.HashData(Encoding.UTF8.GetBytes("/alice/music\0net")));

        Assert.Equal(expected, DirectoryKey.For("/alice/music", "net"));
        Assert.Equal(new NodeId(SHA1.HashData("/\0net"u8)), DirectoryKey.For("/", "net"));
    }

    [Theory]
    [InlineData("/alice/music/", "/alice/music")]
    [InlineData("//alice///music", "/alice/music")]
    [InlineData("/", "/")]
    [InlineData("///", "/")]
    public void RepeatedAndTrailingSlashesAreDropped(string path, string normalized)
    {
        Assert.Equal(normalized, NamespacePath.Normalize(path));
        Assert.Equal(DirectoryKey.For(normalized, "net"), DirectoryKey.For(path, "net"));
    }

    [Fact]
    public void EverySaltIsItsOwnNamespace()
    {
        Assert.NotEqual(DirectoryKey.For("/alice", "one"), DirectoryKey.For("/alice", "two"));
        // Without a separator "/a" + "bc" and "/ab" + "c" would be one key in two networks.
        Assert.NotEqual(DirectoryKey.For("/a", "bc"), DirectoryKey.For("/ab", "c"));
        Assert.NotEqual(DirectoryKey.For("/a", ""), DirectoryKey.For("/", "a"));
    }

    [Theory]
    [InlineData("", "absolute: it starts with '/'")]
    [InlineData("alice/music", "absolute: it starts with '/'")]
    [InlineData("/alice/../bob", "'..' is not allowed in a namespace path")]
    [InlineData("/alice/./music", "'.' is not allowed in a namespace path")]
    [InlineData("/alice/mu\0sic", "contains a control character")]
    [InlineData("/alice/music@0123abcd", "ends like a disambiguated label")]
    public void BadPathsAreRefusedWithTheReason(string path, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => DirectoryKey.For(path, "net"));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void ANameLongerThan255BytesIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => DirectoryKey.For("/" + new string('é', 128), "net"));
        Assert.Contains("at most 255 UTF-8 bytes", error.Message);
    }

    [Fact]
    public void ANullSaltIsRefused() => Assert.Throws<ArgumentNullException>(() => DirectoryKey.For("/alice", null!));
}
