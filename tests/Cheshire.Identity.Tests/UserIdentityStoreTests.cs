using System.Security.Cryptography;
using Cheshire.Identity;

namespace Cheshire.Identity.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UserIdentityStoreTests : IDisposable
{
    // RFC 8032 section 7.1, test 1: an Ed25519 secret key (seed) and its public key.
    private const string Rfc8032Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private const string Rfc8032PublicKey = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

    // `echo d75a98…511a | xxd -r -p | sha1sum`, computed outside .NET.
    private const string Rfc8032Uid = "5b27aa5589179770e47575b162a1ded97b8bfc6d";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "cheshire-user-" + Guid.NewGuid().ToString("N"));

    private string KeyPath => Path.Combine(_dir, UserIdentityStore.DefaultFileName);

    [Fact]
    public void FirstStartCreatesAPrivateKeyThatLaterStartsReuse()
    {
        using var first = UserIdentityStore.LoadOrCreate(KeyPath);
        using var second = UserIdentityStore.LoadOrCreate(KeyPath);

        Assert.Equal(first.Uid, second.Uid);
        Assert.Matches("^[0-9a-f]{40}$", first.Uid);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(first.PublicKey)), first.Uid);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal([KeyPath], Directory.GetFiles(_dir)); // no temporary file left behind
    }

    [Fact]
    public void TheUidIsTheHexSha1OfTheRawPublicKey()
    {
        Directory.CreateDirectory(_dir);
        WriteKeyFile($"cheshire-ed25519-user-seed-v1\n{Rfc8032Seed}\n");

        using var user = UserIdentityStore.Load(KeyPath);

        Assert.Equal(Rfc8032PublicKey, Convert.ToHexStringLower(user.PublicKey));
        Assert.Equal(Rfc8032Uid, user.Uid);
    }

    [Fact]
    public void ACopiedKeyFileGivesAnotherNodeTheSameUser()
    {
        using var alice = UserIdentityStore.LoadOrCreate(KeyPath);
        var otherNode = Path.Combine(_dir, "other-node", UserIdentityStore.DefaultFileName);
        Directory.CreateDirectory(Path.GetDirectoryName(otherNode)!);
        File.Copy(KeyPath, otherNode);

        using var copy = UserIdentityStore.LoadOrCreate(otherNode);

        Assert.Equal(alice.Uid, copy.Uid);
        var signature = copy.Sign("export /alice"u8);
        Assert.True(Ed25519Identity.Verify(alice.PublicKey, "export /alice"u8, signature));
    }

    [Fact]
    public async Task ModulesStartingTogetherAgreeOnOneUser()
    {
        var uids = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() =>
        {
            using var user = UserIdentityStore.LoadOrCreate(KeyPath);
            return user.Uid;
        })));

        Assert.Single(uids.Distinct());
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void AKeyOthersMayReadIsRefusedAndLeftAlone(UnixFileMode extra)
    {
        using (UserIdentityStore.LoadOrCreate(KeyPath)) { }
        var before = File.ReadAllText(KeyPath);
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);

        var error = Assert.Throws<KeyFileException>(() => UserIdentityStore.LoadOrCreate(KeyPath));

        Assert.StartsWith($"{KeyPath}: permissions 0", error.Message);
        Assert.Contains("are too open: a user key must be readable by its owner only", error.Message);
        Assert.Contains($"chmod 600 '{KeyPath}'", error.Message);
        Assert.Equal(before, File.ReadAllText(KeyPath));
    }

    [Fact]
    public void APermissiveNodeKeyIsRefusedToo()
    {
        using (NodeIdentityStore.LoadOrCreate(_dir)) { }
        var path = Path.Combine(_dir, NodeIdentityStore.KeyFileName);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100); // 0644

        var error = Assert.Throws<KeyFileException>(() => NodeIdentityStore.LoadOrCreate(_dir));

        Assert.Equal($"{path}: permissions 0644 are too open: a node key must be readable by its owner only. " +
            $"Run chmod 600 '{path}' (and make a new key if others may have read it).", error.Message);
    }

    [Theory]
    [InlineData("", "the file is empty, not a user key.")]
    [InlineData("cheshire-ed25519-user-seed-v1\n", "the key line (64 hex digits) is missing.")]
    [InlineData("cheshire-ed25519-user-seed-v1\nzz\n", "the key line is not hexadecimal.")]
    [InlineData("cheshire-ed25519-user-seed-v1\n9d61b19d\n", "the key is 4 bytes, expected 32.")]
    [InlineData("cheshire-ed25519-user-seed-v1\n" + Rfc8032Seed + "00\n", "the key is 33 bytes, expected 32.")]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\n", " is not a Cheshire user key (expected a first line 'cheshire-ed25519-user-seed-v1').")]
    [InlineData("cheshire-ed25519-seed-v1\n" + Rfc8032Seed + "\n", " is a Cheshire node key, not a user key.")]
    public void ABadKeyFileIsRejectedNamingTheFile(string content, string problem)
    {
        Directory.CreateDirectory(_dir);
        WriteKeyFile(content);

        var error = Assert.Throws<KeyFileException>(() => UserIdentityStore.LoadOrCreate(KeyPath));

        Assert.StartsWith(KeyPath, error.Message);
        Assert.EndsWith(problem, error.Message);
        Assert.Equal(content, File.ReadAllText(KeyPath)); // never replaced by a fresh key
    }

    [Fact]
    public void AHugeFileIsNotReadAsAKey()
    {
        Directory.CreateDirectory(_dir);
        WriteKeyFile(new string('a', 100_000));

        var error = Assert.Throws<KeyFileException>(() => UserIdentityStore.Load(KeyPath));

        Assert.Equal($"{KeyPath}: 100000 bytes is too large for a user key (a header line and 64 hex digits).", error.Message);
    }

    [Fact]
    public void ADirectoryInPlaceOfTheKeyIsReported()
    {
        Directory.CreateDirectory(KeyPath);

        var error = Assert.Throws<KeyFileException>(() => UserIdentityStore.LoadOrCreate(KeyPath));

        Assert.StartsWith($"{KeyPath}: cannot read the user key: ", error.Message);
    }

    [Fact]
    public void LoadingAMissingKeyDoesNotCreateOne()
    {
        var error = Assert.Throws<KeyFileException>(() => UserIdentityStore.Load(KeyPath));

        Assert.StartsWith($"{KeyPath}: cannot read the user key: ", error.Message);
        Assert.False(File.Exists(KeyPath));
    }

    [Fact]
    public void TheKeyIsInTheDataFolderUnlessConfigured()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

        Assert.Equal(Path.Combine(_dir, "user.key"), UserIdentityStore.ResolvePath(_dir, null));
        Assert.Equal(Path.Combine(_dir, "user.key"), UserIdentityStore.ResolvePath(_dir, " "));
        Assert.Equal(Path.Combine(home, "keys", "alice.key"), UserIdentityStore.ResolvePath(_dir, "~/keys/alice.key"));
        Assert.Equal("/srv/alice.key", UserIdentityStore.ResolvePath(_dir, "/srv/alice.key"));
    }

    /// <summary>Writes the key file as a user would copy it in: mode 0600.</summary>
    private void WriteKeyFile(string content)
    {
        File.WriteAllText(KeyPath, content, new System.Text.UTF8Encoding(false));
        File.SetUnixFileMode(KeyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
