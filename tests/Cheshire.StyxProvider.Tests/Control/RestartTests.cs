using System.Diagnostics;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>The dht process dies and comes back while a 9P connection to /dht stays open.</summary>
public sealed class RestartTests
{
    private static readonly TimeSpan ErrorBound = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan BackTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ListingBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task FilesFailWithAClearErrorWhileTheDhtIsDownAndWorkAgainWhenItIsBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var dht = await DhtModule.StartAsync(ct);
        await using var server = new ControlServer(dht.GrpcAddress, mainlineGrpc: null);
        await using var session = await server.ConnectAsync();
        Assert.Contains($"id {dht.Info.Id}\n", await session.ReadAsync("/dht/node"));
        var listen = await session.OpenAsync("/dht/listen/restart-" + Guid.NewGuid().ToString("N"), StyxOpenMode.Read);
        var pending = session.Client.ReadAsync(listen, 0, new byte[4096]);

        await dht.KillAsync();
        var clock = Stopwatch.StartNew();
        var down = await Assert.ThrowsAsync<StyxErrorException>(() => session.ReadAsync("/dht/stats").WaitAsync(TimeSpan.FromMinutes(2)));
        var took = clock.Elapsed;
        var listenEnded = await Assert.ThrowsAsync<StyxErrorException>(() => pending.WaitAsync(ErrorBound));

        Assert.True(took < ErrorBound, $"the read failed after {took}");
        Assert.Equal(Errno.EIO, down.Errno);
        Assert.StartsWith("dht unavailable: ", down.Message);
        Assert.StartsWith("dht unavailable: ", listenEnded.Message);
        await session.Client.ClunkAsync(listen);
        // a listing stats every file: it answers at once instead of waiting for a failing call per file
        clock.Restart();
        var directory = await session.OpenAsync("/dht", StyxOpenMode.Read);
        var names = StatEntry.ReadDirectory(await session.Client.ReadAllAsync(directory), Dialect.Unix).Select(e => e.Name);
        await session.Client.ClunkAsync(directory);
        var listing = clock.Elapsed;
        Assert.Equal(["ctl", "get", "listen", "node", "routing", "stats"], names.Order());
        Assert.True(listing < ListingBound, $"listing /dht took {listing} while the dht was down");
        TestContext.Current.TestOutputHelper?.WriteLine($"stats failed {took.TotalSeconds:F1} s after the kill; listing took {listing.TotalMilliseconds:F0} ms");

        clock.Restart();
        await dht.RestartAsync(ct);
        var deadline = DateTime.UtcNow + BackTimeout;
        string? node = null;
        while (node is null)
        {
            try
            {
                node = await session.ReadAsync("/dht/node");
            }
            catch (StyxErrorException e) when (DateTime.UtcNow < deadline)
            {
                Assert.StartsWith("dht unavailable: ", e.Message);
                await Task.Delay(200, ct);
            }
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"back {clock.Elapsed.TotalSeconds:F1} s after the restart began");
        Assert.Contains($"id {dht.Info.Id}\n", node);
        Assert.Contains("stored_values ", await session.ReadAsync("/dht/stats"));
    }
}
