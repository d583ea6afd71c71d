namespace Cheshire.Kademlia.Tests;

public sealed class NodeIdTests
{
    [Fact]
    public void DistanceIsXorAndPrefixLengthCountsLeadingEqualBits()
    {
        var a = NodeId.FromHex("ff00000000000000000000000000000000000000");
        var b = NodeId.FromHex("f000000000000000000000000000000000000001");
        Assert.Equal("0f00000000000000000000000000000000000001", (a ^ b).ToString());
        Assert.Equal(4, a.CommonPrefixLength(b));
        Assert.Equal(160, a.CommonPrefixLength(a));
        Assert.Equal(159, NodeId.Zero.CommonPrefixLength(NodeId.FromHex("0000000000000000000000000000000000000001")));
    }

    [Fact]
    public void CompareDistanceOrdersByXorNotByValue()
    {
        var target = NodeId.FromHex("8000000000000000000000000000000000000000");
        var near = NodeId.FromHex("8000000000000000000000000000000000000005");
        var far = NodeId.FromHex("7fffffffffffffffffffffffffffffffffffffff");
        Assert.True(target.CompareDistance(near, far) < 0);
        Assert.True(target.CompareDistance(far, near) > 0);
        Assert.Equal(0, target.CompareDistance(near, near));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(128)]
    [InlineData(159)]
    public void RandomWithCommonPrefixSharesExactlyThatManyBits(int prefix)
    {
        var self = NodeId.Random();
        for (var i = 0; i < 50; i++)
            Assert.Equal(prefix, self.CommonPrefixLength(self.RandomWithCommonPrefix(prefix)));
    }

    [Fact]
    public void BytesRoundTripAndWrongLengthsAreRejected()
    {
        var id = NodeId.Random();
        Assert.Equal(id, new NodeId(id.ToArray()));
        Assert.False(NodeId.TryParse(new byte[19], out _));
        Assert.False(NodeId.TryParse(new byte[21], out _));
        Assert.Throws<ArgumentException>(() => new NodeId(new byte[3]));
    }
}
