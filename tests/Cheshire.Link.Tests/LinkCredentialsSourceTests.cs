namespace Cheshire.Link.Tests;

public sealed class LinkCredentialsSourceTests
{
    [Fact]
    public async Task CredentialsAreRenewedBeforeTheyExpireAndKeepProvingTheSameNodeAndUser()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var source = new LinkCredentialsSource(bob.Node, bob.Binding, TimeSpan.FromDays(3), clock);
        var first = source.Current;

        clock.Advance(TimeSpan.FromDays(1));
        Assert.Same(first, source.Current);
        clock.Advance(TimeSpan.FromDays(1.5));
        var renewed = source.Current;

        Assert.NotSame(first, renewed);
        Assert.True(renewed.NotAfter > first.NotAfter);
        Assert.NotEqual(first.Certificate.PublicKey.ExportSubjectPublicKeyInfo(), renewed.Certificate.PublicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(first.Self, renewed.Self);
        // A dialer whose clock reads the same day accepts the renewed certificate, and it is still Bob.
        var options = new LinkOptions { Clock = clock };
        await using var link = await Handshake.RunAsync(alice.Credentials, renewed, bob.Node.NodeId, options);
        Assert.Equal(bob.Node.NodeIdHex, (await link.Dialer).Peer.NodeIdHex);
        Assert.Equal(bob.User.Uid, (await link.Dialer).Peer.Uid);
    }

    [Fact]
    public async Task APeerWhoseClockIsPastTheCertificatesEndRefusesIt()
    {
        using var alice = new TestNode();
        using var bob = new TestNode();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var source = new LinkCredentialsSource(bob.Node, bob.Binding, TimeSpan.FromDays(3), clock);
        var stale = source.Current;
        clock.Advance(TimeSpan.FromDays(4));

        await using var link = await Handshake.RunAsync(alice.Credentials, stale, bob.Node.NodeId, new LinkOptions { Clock = clock });

        var refused = await Handshake.FailsAsync(link.Dialer);
        Assert.Equal(LinkFailure.NotTimeValid, refused.Failure);
        Assert.Contains("expired", refused.Message);
    }
}
