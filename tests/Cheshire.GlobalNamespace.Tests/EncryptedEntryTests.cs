using Google.Protobuf;

namespace Cheshire.GlobalNamespace.Tests;

public sealed class EncryptedEntryTests
{
    [Fact]
    public void AnOwnerOnlyEntryOpensWithTheOwnersKeyOnAnyOfTheirNodes()
    {
        using var alice = new Publisher();
        using var aliceLaptop = alice.SecondNode();
        var entry = alice.Entry("private");
        var value = alice.Value(entry, encrypt: true);

        using var laptopKey = OwnerEncryption.KeyPair(aliceLaptop.User);
        var (ok, read, whyNot) = Read.Value(value, key: laptopKey);

        Assert.True(ok, whyNot);
        Assert.Equal(entry, read);
        Assert.True(value.IsEncrypted);
        Assert.Equal(laptopKey.PublicKeyFingerprint, value.Recipient);
        Assert.Equal(OwnerEncryption.PublicKey(alice.User), laptopKey.PublicKey);
    }

    [Fact]
    public void OthersSeeOnlyCiphertext()
    {
        using var alice = new Publisher();
        using var bob = new Publisher();
        var value = alice.Value(alice.Entry("private-music-collection", addresses: ["alice-home.example:7400"]), encrypt: true);

        using var bobKey = OwnerEncryption.KeyPair(bob.User);
        var withBobs = Read.Value(value, key: bobKey);
        var withNone = Read.Value(value);

        Assert.False(withBobs.Ok);
        Assert.Contains("encrypted to another key", withBobs.WhyNot);
        Assert.False(withNone.Ok);
        Assert.Contains("encrypted to its owner, and no decryption key was given", withNone.WhyNot);
        var bytes = value.Data.ToArray();
        Assert.False(Contains(bytes, "private-music-collection"u8.ToArray()));
        Assert.False(Contains(bytes, "alice-home.example"u8.ToArray()));
        Assert.False(Contains(bytes, Convert.FromHexString(alice.User.Uid)));
    }

    [Fact]
    public void AnEncryptedEntryIsStillCheckedForItsSignatureAndKey()
    {
        using var alice = new Publisher();
        using var key = OwnerEncryption.KeyPair(alice.User);
        var value = alice.Value(alice.Entry("private"), encrypt: true);
        var data = value.Data.ToArray();
        data[^1] ^= 1;

        var tampered = Read.Value(Hostile.Altered(value, w => w.Data = ByteString.CopyFrom(data)), key: key);
        var elsewhere = Read.Value(value, "/bob", key: key);

        Assert.Contains("DHT signature does not verify", tampered.WhyNot);
        Assert.Contains("DHT signature does not verify", elsewhere.WhyNot);
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
