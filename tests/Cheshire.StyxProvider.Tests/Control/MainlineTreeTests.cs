using System.Security.Cryptography;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>/mainline served from a real mainline-dht process that knows one other node.</summary>
public sealed class MainlineTreeTests(ControlNodes nodes) : IClassFixture<ControlNodes>
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnAnnouncedPortIsListedUnderPeers()
    {
        await using var session = await nodes.Server.ConnectAsync();
        await WaitForOtherNodeAsync(session);
        var infohash = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

        var reply = await session.CommandAsync("/mainline/ctl", $"announce {infohash} 6999");

        Assert.Matches(@"^nodes [1-9]\d* peers ", reply);
        Assert.Contains("127.0.0.1:6999", (await session.ReadAsync($"/mainline/peers/{infohash}")).Split('\n'));
        // upper-case hex names the same infohash
        Assert.Contains("127.0.0.1:6999", (await session.ReadAsync($"/mainline/peers/{infohash.ToUpperInvariant()}")).Split('\n'));
        var stats = (await session.ReadAsync("/mainline/stats")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"endpoint {nodes.Mainline.UdpEndpoint}", stats);
        Assert.Contains(stats, line => line.StartsWith("queries_sent.announce_peer ", StringComparison.Ordinal) && !line.EndsWith(" 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ItemsPutThroughCtlAreReadFromItems()
    {
        await using var session = await nodes.Server.ConnectAsync();
        await WaitForOtherNodeAsync(session);
        var text = "hello mainline " + Guid.NewGuid().ToString("N");

        var immutable = await session.CommandAsync("/mainline/ctl", $"put {text}");
        var target = immutable.Split(' ')[1];
        Assert.Matches(@"^target [0-9a-f]{40} stored \d+ errors -\n$", immutable);
        var item = (await session.ReadAsync($"/mainline/items/{target}")).Split('\n');
        Assert.Contains($"value {text.Length}:{text}", item);
        Assert.Contains($"string {text}", item);

        var salt = "s" + Guid.NewGuid().ToString("N")[..8];
        var mutable = await session.CommandAsync("/mainline/ctl", $"putmutable salt={salt} format=bencode i42e");
        var match = System.Text.RegularExpressions.Regex.Match(mutable, @"^target [0-9a-f]{40} stored \d+ key (?<key>[0-9a-f]{64}) seq 1 errors -\n$");
        Assert.True(match.Success, mutable);
        var signed = (await session.ReadAsync($"/mainline/items/{match.Groups["key"].Value}:{salt}")).Split('\n');
        Assert.Contains("value i42e", signed);
        Assert.Contains("seq 1", signed);
        Assert.Contains($"salt {salt}", signed);
    }

    [Fact]
    public async Task BadNamesAndCommandsGiveReadableErrors()
    {
        await using var session = await nodes.Server.ConnectAsync();

        var unknown = await Assert.ThrowsAsync<StyxErrorException>(() => session.CommandAsync("/mainline/ctl", "get something"));
        Assert.Equal("mainline: unknown command 'get'; commands: announce, put, putmutable", unknown.Message);
        var badHash = await Assert.ThrowsAsync<StyxErrorException>(() => session.CommandAsync("/mainline/ctl", "announce cafe 80"));
        Assert.Equal("mainline: 'cafe' is not an infohash: give 40 hex digits", badHash.Message);
        var badPort = await Assert.ThrowsAsync<StyxErrorException>(() => session.CommandAsync("/mainline/ctl", $"announce {new string('a', 40)} 70000"));
        Assert.Equal("mainline: announce: port '70000' is not 1..65535 or 'implied'", badPort.Message);

        var peers = await session.WalkAsync("/mainline/peers");
        var walk = await Assert.ThrowsAsync<StyxErrorException>(() => session.Client.WalkAsync(peers, session.Client.NewFid(), ["not-a-hash"]));
        await session.Client.ClunkAsync(peers);
        Assert.Equal(Errno.EINVAL, walk.Errno);
        Assert.Equal("mainline: 'not-a-hash' is not an infohash: give 40 hex digits", walk.Message);
    }

    /// <summary>Polls /mainline/routing until the other node is in it (the two bootstrap from each other at start).</summary>
    private async Task WaitForOtherNodeAsync(ControlSession session)
    {
        var deadline = DateTime.UtcNow + JoinTimeout;
        string routing;
        while (!(routing = await session.ReadAsync("/mainline/routing")).Contains($" {nodes.OtherMainline.UdpEndpoint} ", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"{nodes.OtherMainline.UdpEndpoint} is not in /mainline/routing after {JoinTimeout}:\n{routing}");
            await Task.Delay(200);
        }
        Assert.Matches($@"(^|\n)[0-9a-f]{{40}} {nodes.OtherMainline.UdpEndpoint} (good|questionable|bad) (verified|unverified) \d+ \d+\n", routing);
    }
}
