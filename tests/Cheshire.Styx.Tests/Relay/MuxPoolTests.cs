using Cheshire.Styx.Relay;

namespace Cheshire.Styx.Tests.Relay;

public sealed class MuxPoolTests
{
    [Fact]
    public void NumbersAreUniqueUntilReturnedAndReturnedOnesComeBackFirst()
    {
        var pool = new MuxPool(3);
        Assert.True(pool.TryRent(out var a));
        Assert.True(pool.TryRent(out var b));
        Assert.True(pool.TryRent(out var c));
        Assert.Equal([0u, 1u, 2u], [a, b, c]);
        Assert.False(pool.TryRent(out _));
        Assert.Equal(3, pool.InUse);

        pool.Return(b);
        Assert.Equal(2, pool.InUse);
        Assert.True(pool.TryRent(out var again));
        Assert.Equal(b, again);
    }

    [Fact]
    public void TagsNeverHandOutNoTag()
    {
        var tags = MuxPool.Tags();
        var seen = 0;
        while (tags.TryRent(out var tag))
        {
            Assert.NotEqual(Protocol.StyxConstants.NoTag, tag);
            seen++;
        }
        Assert.Equal(0xFFFF, seen);
    }
}
