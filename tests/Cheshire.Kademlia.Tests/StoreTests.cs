using System.Net;
using Cheshire.Identity;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia.Tests;

public sealed class StoreTests : IDisposable
{
    private readonly NodeIdentity _alice = NodeIdentity.Generate();
    private readonly NodeIdentity _mallory = NodeIdentity.Generate();
    private readonly TestClock _clock = new();
    private readonly NodeId _key = NodeId.Hash("/alice");

    private ValueStore Store(KademliaOptions? options = null) => new(options ?? new KademliaOptions(), _clock);

    [Fact]
    public void ManyValuesLiveUnderOneKey()
    {
        var store = Store();
        for (ulong i = 0; i < 10; i++) Assert.Equal(ErrorCode.ErrorNone, store.Store(_key, DhtValue.Plain(i, $"child {i}")));
        Assert.Equal(10, store.Get(_key).Count);
        Assert.Empty(store.Get(NodeId.Hash("/bob")));
    }

    [Fact]
    public void AReplicatedCopyLivesNoLongerThanTheLifetimeItHasLeft()
    {
        var store = Store();
        var signed = DhtValue.Signed(_key, 5, 1, "v"u8, _alice, TimeSpan.FromHours(1));
        var copy = signed.Wire.Clone();
        copy.RemainingSeconds = 90;
        Assert.Equal(ErrorCode.ErrorNone, store.Store(_key, new DhtValue(copy)));
        var held = Assert.Single(store.All());
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(90), held.Expires);
        Assert.Equal(0u, held.Value.Wire.RemainingSeconds); // not passed on as if it were the owner's
        Assert.True(held.Value.VerifySignature(_key));
        Assert.Equal(signed, held.Value);

        // a remaining lifetime longer than the ttl does not extend it
        var other = NodeId.Hash("/other");
        var plain = DhtValue.Plain(6, "p"u8, TimeSpan.FromMinutes(2)).Wire.Clone();
        plain.RemainingSeconds = 100_000;
        store.Store(other, new DhtValue(plain));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromMinutes(2), store.All().Single(v => v.Key == other).Expires);
    }

    [Fact]
    public void AHigherSeqFromTheSameOwnerReplacesALowerOne()
    {
        var store = Store();
        Assert.Equal(ErrorCode.ErrorNone, store.Store(_key, DhtValue.Signed(_key, 1, 1, "v1"u8, _alice)));
        Assert.Equal(ErrorCode.ErrorNone, store.Store(_key, DhtValue.Signed(_key, 1, 2, "v2"u8, _alice)));
        Assert.Equal(ErrorCode.ErrorStaleSeq, store.Store(_key, DhtValue.Signed(_key, 1, 1, "v1"u8, _alice)));
        Assert.Equal(ErrorCode.ErrorNotOwner, store.Store(_key, DhtValue.Signed(_key, 1, 9, "evil"u8, _mallory)));
        Assert.Equal(ErrorCode.ErrorNotOwner, store.Store(_key, DhtValue.Plain(1, "evil")));
        var only = Assert.Single(store.Get(_key));
        Assert.Equal("v2"u8.ToArray(), only.Data.ToArray());
        Assert.Equal(2UL, only.Seq);
    }

    [Fact]
    public void ChangedFiresOnNewAndReplacedValuesOnly()
    {
        var store = Store();
        var changes = 0;
        store.Changed += _ => changes++;
        store.Store(_key, DhtValue.Signed(_key, 1, 1, "v1"u8, _alice));
        store.Store(_key, DhtValue.Signed(_key, 1, 1, "v1"u8, _alice)); // republish: refresh only
        store.Store(_key, DhtValue.Signed(_key, 1, 2, "v2"u8, _alice));
        Assert.Equal(2, changes);
    }

    [Fact]
    public void ASweepDropsExactlyTheExpiredValuesOfEveryKey()
    {
        var store = Store();
        var expired = new List<(NodeId, ulong)>();
        store.Expired += (key, id) => expired.Add((key, id));
        for (var k = 0; k < 50; k++)
        {
            var key = NodeId.Hash($"/sweep/{k}");
            store.Store(key, DhtValue.Plain(1, "short"u8, TimeSpan.FromMinutes(1)));
            if (k % 2 == 0) store.Store(key, DhtValue.Plain(2, "long"u8, TimeSpan.FromHours(1)));
        }
        var bytesOfLong = store.All().Where(v => v.Value.Id == 2).Sum(v => ValueStore.SizeOf(v.Value));
        _clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(50, store.Sweep());
        Assert.Equal(50, expired.Count);
        Assert.Equal(25, store.Count);
        Assert.Equal(25, store.KeyCount);
        Assert.Equal(bytesOfLong, store.Bytes);
        Assert.All(store.All(), v => Assert.Equal(2UL, v.Value.Id));
        Assert.Equal(0, store.Sweep());
    }

    [Fact]
    public void BadSignaturesAreRefused()
    {
        var store = Store();
        var good = DhtValue.Signed(_key, 7, 1, "hello"u8, _alice);
        var tampered = Clone(good, w => w.Data = ByteString.CopyFromUtf8("hullo"));
        var otherKey = NodeId.Hash("/elsewhere");
        Assert.False(tampered.VerifySignature(_key));
        Assert.Equal(ErrorCode.ErrorBadSignature, store.Store(_key, tampered));
        Assert.Equal(ErrorCode.ErrorBadSignature, store.Store(otherKey, good)); // signature binds the key
        Assert.Equal(ErrorCode.ErrorMalformed, store.Store(_key, Clone(good, w => w.Signature = ByteString.Empty)));
        Assert.Equal(ErrorCode.ErrorMalformed, store.Store(_key, Clone(good, w => w.Owner = ByteString.CopyFrom(new byte[5]))));
        Assert.Empty(store.Get(_key));
        Assert.Equal(ErrorCode.ErrorNone, store.Store(_key, good));
    }

    [Fact]
    public void ValuesExpireByTheirTtlClampedToTheNodeMaximum()
    {
        var store = Store(new KademliaOptions { MaxValueTtl = TimeSpan.FromMinutes(30) });
        store.Store(_key, DhtValue.Plain(1, "short", TimeSpan.FromSeconds(10)));
        store.Store(_key, DhtValue.Plain(2, "long", TimeSpan.FromDays(10)));
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Single(store.Get(_key));
        Assert.Equal(1, store.Sweep());
        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(store.Get(_key));
        Assert.Equal(1, store.Sweep());
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public void QuotasGiveTypedErrors()
    {
        var store = Store(new KademliaOptions { MaxValueSize = 100, MaxValuesPerKey = 3, MaxStoreBytes = 1000 });
        Assert.Equal(ErrorCode.ErrorValueTooLarge, store.Store(_key, DhtValue.Plain(1, new byte[101])));
        for (ulong i = 0; i < 3; i++) Assert.Equal(ErrorCode.ErrorNone, store.Store(_key, DhtValue.Plain(i, new byte[100])));
        Assert.Equal(ErrorCode.ErrorTooManyValues, store.Store(_key, DhtValue.Plain(9, new byte[100])));
        var full = ErrorCode.ErrorNone;
        for (var k = 0; k < 20 && full == ErrorCode.ErrorNone; k++)
            full = store.Store(NodeId.Random(), DhtValue.Plain(1, new byte[100]));
        Assert.Equal(ErrorCode.ErrorStoreFull, full);
        Assert.True(store.Bytes <= 1000);
    }

    [Fact]
    public void TheRateLimiterRefillsOverTime()
    {
        var limiter = new RateLimiter(rate: 10, burst: 5, _clock);
        var ip = IPAddress.Parse("10.1.2.3");
        Assert.Equal(5, Enumerable.Range(0, 20).Count(_ => limiter.TryAcquire(ip)));
        Assert.True(limiter.TryAcquire(IPAddress.Parse("10.1.2.4")));
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(3, Enumerable.Range(0, 20).Count(_ => limiter.TryAcquire(ip)));
    }

    [Fact]
    public void TokensBindTheRequesterAddressAndSurviveOneRotation()
    {
        var issuer = new TokenIssuer(_clock, TimeSpan.FromMinutes(5));
        var ip = IPAddress.Parse("10.0.0.1");
        var token = issuer.Issue(ip);
        Assert.True(issuer.Validate(ip, token));
        Assert.False(issuer.Validate(IPAddress.Parse("10.0.0.2"), token));
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.True(issuer.Validate(ip, token));
        _clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False(issuer.Validate(ip, token));
    }

    internal static DhtValue Clone(DhtValue value, Action<Value> change)
    {
        var wire = value.Wire.Clone();
        change(wire);
        return new DhtValue(wire);
    }

    public void Dispose()
    {
        _alice.Dispose();
        _mallory.Dispose();
    }
}
