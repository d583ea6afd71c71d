using System.Security.Cryptography;
using Cheshire.Identity;

namespace Cheshire.Identity.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class NodeIdentityStoreTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cheshire-id-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void FirstStartCreatesAKeyThatLaterStartsReuse()
    {
        using var first = NodeIdentityStore.LoadOrCreate(_dir);
        using var second = NodeIdentityStore.LoadOrCreate(_dir);

        Assert.Equal(first.NodeIdHex, second.NodeIdHex);
        Assert.Equal(40, first.NodeIdHex.Length);
        Assert.Equal(SHA1.HashData(first.PublicKey), first.NodeId);
        var mode = File.GetUnixFileMode(Path.Combine(_dir, NodeIdentityStore.KeyFileName));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
    }

    [Fact]
    public async Task ModulesStartingTogetherAgreeOnOneKey()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            using var id = NodeIdentityStore.LoadOrCreate(_dir);
            return id.NodeIdHex;
        })));

        Assert.Single(ids.Distinct());
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ACorruptKeyFileIsRejectedWithItsPath()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, NodeIdentityStore.KeyFileName);
        File.WriteAllText(path, "cheshire-ed25519-seed-v1\nzz\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var error = Assert.Throws<KeyFileException>(() => NodeIdentityStore.LoadOrCreate(_dir));
        Assert.Equal($"{path}: the key line is not hexadecimal.", error.Message);
    }

    [Fact]
    public void SignaturesVerifyOnlyForTheSignedBytes()
    {
        using var id = NodeIdentity.Generate();
        var signature = id.Sign("hello"u8);

        Assert.True(NodeIdentity.Verify(id.PublicKey, "hello"u8, signature));
        Assert.False(NodeIdentity.Verify(id.PublicKey, "hellO"u8, signature));
        using var seeded = NodeIdentity.FromSeed(id.ExportSeed());
        Assert.Equal(id.PublicKey, seeded.PublicKey);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
