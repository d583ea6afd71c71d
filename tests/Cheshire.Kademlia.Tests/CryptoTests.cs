using Cheshire.Identity;
using Cheshire.Kademlia.Values;
using Google.Protobuf;

namespace Cheshire.Kademlia.Tests;

public sealed class CryptoTests
{
    private readonly NodeId _key = NodeId.Hash("/alice/private");

    [Fact]
    public void TheRecipientDecryptsWhatWasSealedToItsKey()
    {
        using var bob = EncryptionKeyPair.Generate();
        var value = DhtValue.Encrypted(_key, 5, "secret entry"u8, bob.PublicKey);
        Assert.Equal(ValueKind.Encrypted, value.Kind);
        Assert.True(value.Data.Span.IndexOf("secret"u8) < 0);
        Assert.True(value.TryDecrypt(_key, bob, out var plain));
        Assert.Equal("secret entry"u8.ToArray(), plain);
    }

    [Fact]
    public void AnotherRecipientCannotDecrypt()
    {
        using var bob = EncryptionKeyPair.Generate();
        using var eve = EncryptionKeyPair.Generate();
        var value = DhtValue.Encrypted(_key, 5, "secret"u8, bob.PublicKey);
        Assert.False(value.TryDecrypt(_key, eve, out _));
        // even if eve rewrites the recipient field, the box does not open for her key
        var relabelled = StoreTests.Clone(value, w => w.Recipient = ByteString.CopyFrom(eve.PublicKeyFingerprint));
        Assert.False(relabelled.TryDecrypt(_key, eve, out _));
    }

    [Fact]
    public void TamperedCiphertextOrAMovedValueDoesNotOpen()
    {
        using var bob = EncryptionKeyPair.Generate();
        var value = DhtValue.Encrypted(_key, 5, "secret"u8, bob.PublicKey);
        var bytes = value.Data.ToArray();
        bytes[^1] ^= 1;
        Assert.False(StoreTests.Clone(value, w => w.Data = ByteString.CopyFrom(bytes)).TryDecrypt(_key, bob, out _));
        Assert.False(value.TryDecrypt(NodeId.Hash("/other"), bob, out _));
    }

    [Fact]
    public void EncryptedValuesCanBeSignedAndTheKeyPairRoundTrips()
    {
        using var owner = NodeIdentity.Generate();
        using var bob = EncryptionKeyPair.Generate();
        var value = DhtValue.Encrypted(_key, 1, "x"u8, bob.PublicKey, owner, seq: 3);
        Assert.True(value.IsSigned);
        Assert.True(value.VerifySignature(_key));
        using var restored = EncryptionKeyPair.FromPrivateKey(bob.ExportPrivateKey());
        Assert.Equal(bob.PublicKey, restored.PublicKey);
        Assert.True(value.TryDecrypt(_key, restored, out var plain));
        Assert.Equal("x"u8.ToArray(), plain);
    }

    [Fact]
    public void SealingToAnInvalidKeyIsRefusedAndEachSealIsFresh()
    {
        Assert.Throws<ArgumentException>(() => DhtValue.Encrypted(_key, 1, "x"u8, new byte[32])); // low-order point
        Assert.Throws<ArgumentException>(() => DhtValue.Encrypted(_key, 1, "x"u8, new byte[31]));
        using var bob = EncryptionKeyPair.Generate();
        var one = DhtValue.Encrypted(_key, 1, "same"u8, bob.PublicKey);
        var two = DhtValue.Encrypted(_key, 1, "same"u8, bob.PublicKey);
        Assert.NotEqual(one.Data.ToArray(), two.Data.ToArray()); // a new ephemeral key every time
        Assert.Equal(32 + 4 + 16, one.Data.Length);
        Assert.True(two.TryDecrypt(_key, bob, out var plain));
        Assert.Equal("same"u8.ToArray(), plain);
    }
}
