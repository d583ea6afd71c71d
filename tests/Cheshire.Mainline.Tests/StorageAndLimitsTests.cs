using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Storage;

namespace Cheshire.Mainline.Tests;

public class StorageAndLimitsTests
{
    private readonly ManualClock _clock = new();
    private static readonly IPAddress Requester = IPAddress.Parse("203.0.113.9");

    [Fact]
    public void TokensRotateAndThePreviousSecretStaysValid()
    {
        var tokens = new TokenManager(_clock, TimeSpan.FromMinutes(5));
        var token = tokens.Generate(Requester);
        Assert.Equal(TokenManager.TokenLength, token.Length);
        Assert.True(tokens.Validate(token, Requester));
        Assert.False(tokens.Validate(token, IPAddress.Parse("203.0.113.10")));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.True(tokens.Validate(token, Requester)); // previous secret
        Assert.False(tokens.Generate(Requester).AsSpan().SequenceEqual(token));
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.False(tokens.Validate(token, Requester)); // two rotations later
    }

    [Fact]
    public void PeersExpireAndAreLimited()
    {
        var store = new PeerStore(new PeerStoreOptions { MaxPeersPerInfohash = 3, MaxInfohashes = 2, PeerTtl = TimeSpan.FromMinutes(30) }, _clock);
        var a = NodeId.Random();
        for (var port = 1; port <= 5; port++)
        {
            Assert.True(store.Add(a, new IPEndPoint(Requester, port)));
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal([3, 4, 5], store.Get(a, AddressFamily.InterNetwork).Select(p => p.Port).Order());
        Assert.Empty(store.Get(a, AddressFamily.InterNetworkV6));
        Assert.True(store.Add(NodeId.Random(), new IPEndPoint(Requester, 1)));
        Assert.False(store.Add(NodeId.Random(), new IPEndPoint(Requester, 1)));
        _clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Empty(store.Get(a, AddressFamily.InterNetwork));
        Assert.True(store.Add(NodeId.Random(), new IPEndPoint(Requester, 1)));
        store.Expire();
        Assert.Equal(1, store.InfohashCount);
    }

    [Fact]
    public void MutableItemsObeyCasAndSeq()
    {
        var store = new ItemStore(new ItemStoreOptions(), _clock);
        var target = NodeId.Random();
        DhtItem Item(long seq) => new(target, "1:x"u8.ToArray(), new byte[32], [], seq, new byte[64]);
        store.Put(Item(5), null);
        Assert.Equal(KrpcErrorCode.SequenceTooOld, Assert.Throws<KrpcException>(() => store.Put(Item(4), null)).Code);
        Assert.Equal(KrpcErrorCode.CasMismatch, Assert.Throws<KrpcException>(() => store.Put(Item(6), cas: 4)).Code);
        store.Put(Item(6), cas: 5);
        Assert.Equal(6, store.Get(target)!.Sequence);
    }

    [Fact]
    public void ItemsExpireAndTheOldestIsEvictedWhenFull()
    {
        var store = new ItemStore(new ItemStoreOptions { MaxItems = 2, ItemTtl = TimeSpan.FromHours(2) }, _clock);
        var targets = Enumerable.Range(0, 3).Select(_ => NodeId.Random()).ToList();
        foreach (var target in targets)
        {
            store.Put(new DhtItem(target, "0:"u8.ToArray(), null, [], 0, null), null);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(2, store.Count);
        Assert.Null(store.Get(targets[0]));
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Null(store.Get(targets[2]));
        store.Expire();
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void RateLimiterAllowsThenRejectsThenDrops()
    {
        var limiter = new RateLimiter(new RateLimitOptions { PerIpQueriesPerSecond = 1, PerIpBurst = 3, PerIpErrorsPerSecond = 1, PerIpErrorBurst = 2 }, _clock);
        var decisions = Enumerable.Range(0, 7).Select(_ => limiter.Check(Requester)).ToList();
        Assert.Equal([RateDecision.Allow, RateDecision.Allow, RateDecision.Allow, RateDecision.Reject, RateDecision.Reject, RateDecision.Drop, RateDecision.Drop], decisions);
        Assert.Equal(RateDecision.Allow, limiter.Check(IPAddress.Parse("198.51.100.1")));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(RateDecision.Allow, limiter.Check(Requester));
    }

    [Fact]
    public void TrackedAddressesAreBounded()
    {
        var limiter = new RateLimiter(new RateLimitOptions { MaxTrackedAddresses = 3 }, _clock);
        for (var i = 0; i < 10; i++)
            Assert.Equal(RateDecision.Allow, limiter.Check(new IPAddress([198, 51, 100, (byte)i])));
        Assert.InRange(limiter.TrackedAddresses, 1, 3);
        _clock.Advance(TimeSpan.FromMinutes(1));
        limiter.Prune();
        Assert.Equal(0, limiter.TrackedAddresses);
    }

    [Fact]
    public void GlobalLimitAppliesAcrossAddresses()
    {
        var limiter = new RateLimiter(new RateLimitOptions { GlobalQueriesPerSecond = 1, GlobalBurst = 5 }, _clock);
        var allowed = Enumerable.Range(0, 20).Count(i => limiter.Check(new IPAddress([198, 51, 100, (byte)i])) == RateDecision.Allow);
        Assert.Equal(5, allowed);
    }
}
