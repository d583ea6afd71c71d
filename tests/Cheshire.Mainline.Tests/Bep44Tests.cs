using System.Text;
using Cheshire.Mainline.Storage;

namespace Cheshire.Mainline.Tests;

/// <summary>The test vectors of BEP 44.</summary>
public class Bep44Tests
{
    private static readonly byte[] PublicKey = Convert.FromHexString("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548");
    private static readonly byte[] Value = "12:Hello World!"u8.ToArray();

    [Fact]
    public void MutableWithoutSalt()
    {
        var buffer = Bep44.SignatureBuffer([], 1, Value);
        Assert.Equal("3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(buffer));
        Assert.Equal("4a533d47ec9c7d95b1ad75f576cffc641853b750", Bep44.MutableTarget(PublicKey, []).ToString());
        var signature = Convert.FromHexString(
            "305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01");
        Assert.True(Bep44.Verify(PublicKey, [], 1, Value, signature));
        Assert.False(Bep44.Verify(PublicKey, [], 2, Value, signature));
        signature[5] ^= 1;
        Assert.False(Bep44.Verify(PublicKey, [], 1, Value, signature));
    }

    [Fact]
    public void MutableWithSalt()
    {
        var salt = "foobar"u8.ToArray();
        var buffer = Bep44.SignatureBuffer(salt, 1, Value);
        Assert.Equal("4:salt6:foobar3:seqi1e1:v12:Hello World!", Encoding.ASCII.GetString(buffer));
        Assert.Equal("411eba73b6f087ca51a3795d9c8c938d365e32c1", Bep44.MutableTarget(PublicKey, salt).ToString());
        var signature = Convert.FromHexString(
            "6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17ddf9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08");
        Assert.True(Bep44.Verify(PublicKey, salt, 1, Value, signature));
        Assert.False(Bep44.Verify(PublicKey, [], 1, Value, signature));
    }

    [Fact]
    public void Immutable() =>
        Assert.Equal("e5f96f6f38320f0f33959cb4d3d656452117aadb", Bep44.ImmutableTarget(Value).ToString());

    [Fact]
    public void SignAndVerifyRoundTrip()
    {
        using var key = Bep44.CreateKey();
        var signature = Bep44.Sign(key, "s"u8, 7, Value);
        Assert.True(Bep44.Verify(Bep44.PublicKeyOf(key), "s"u8, 7, Value, signature));
        Assert.False(Bep44.Verify(new byte[31], "s"u8, 7, Value, signature));
    }
}
