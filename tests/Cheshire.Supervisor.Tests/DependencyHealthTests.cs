using System.Diagnostics;
using System.Globalization;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// Real module processes: a dht (Healthy: it has a peer) whose dependency mainline-dht is killed reports Degraded within
/// about a second, seen through its grpc.health.v1 Watch of mainline-dht, and Healthy again once mainline-dht is back.
/// </summary>
public sealed class DependencyHealthTests
{
    private static readonly TimeSpan Up = TimeSpan.FromSeconds(60);

    /// <summary>What "within about a second" allows on a loaded machine: the watch itself sees a kill in milliseconds.</summary>
    private static readonly TimeSpan SeenWithin = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADependencyKilledMakesTheDependentDegradedAtOnceAndHealthyWhenItReturns()
    {
        await using var peer = new DhtPeer();
        await peer.StartAsync(Ct);
        var mainline = ModuleProcess.Start(ModuleProcess.ModuleDll("mainline-dht", "Cheshire.MainlineDht"), new Dictionary<string, string>
        {
            ["Mainline:Endpoint"] = "127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        try
        {
            await mainline.WaitHealthyAsync(Up, Ct);
            await using var dht = ModuleProcess.Start(ModuleProcess.ModuleDll("dht", "Cheshire.Dht"), new Dictionary<string, string>
            {
                ["Dht:Address"] = "127.0.0.1",
                ["Dht:Port"] = FreePorts.Udp().ToString(CultureInfo.InvariantCulture),
                ["Dht:Bootstrap:0"] = peer.Endpoint,
                ["services:mainline-dht:grpc:0"] = mainline.GrpcAddress.ToString(),
            });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task<string> HealthAsync() => await http.GetStringAsync(dht.HealthAddress, Ct);
            await dht.WaitHealthyAsync(Up, Ct, acceptDegraded: false);

            await mainline.KillAsync();
            var killed = Stopwatch.StartNew();
            await Eventually.TrueAsync(async () => await HealthAsync() == "Degraded", TimeSpan.FromSeconds(10), "dht Degraded after the kill", Ct);
            var degraded = killed.Elapsed;
            // the health check answers from the watch's cache: at once, not at a call's deadline
            var asked = Stopwatch.StartNew();
            Assert.Equal("Degraded", await HealthAsync());
            var answered = asked.Elapsed;

            mainline = await mainline.RestartAsync();
            var restarted = Stopwatch.StartNew();
            await mainline.WaitHealthyAsync(Up, Ct);
            var mainlineUp = restarted.Elapsed;
            await Eventually.TrueAsync(async () => await HealthAsync() == "Healthy", TimeSpan.FromSeconds(10), "dht Healthy after mainline-dht returned", Ct);
            var healthyAgain = restarted.Elapsed - mainlineUp;

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"Degraded {degraded.TotalMilliseconds:0} ms after the kill (/health answered in {answered.TotalMilliseconds:0} ms); " +
                $"mainline-dht healthy {mainlineUp.TotalMilliseconds:0} ms after its restart, dht Healthy {healthyAgain.TotalMilliseconds:0} ms after that");
            Assert.True(degraded < SeenWithin, $"dht turned Degraded {degraded} after mainline-dht was killed");
            Assert.True(answered < TimeSpan.FromMilliseconds(500), $"/health took {answered} while mainline-dht was down");
            Assert.True(healthyAgain < SeenWithin, $"dht turned Healthy {healthyAgain} after mainline-dht was healthy again");
        }
        finally
        {
            await mainline.DisposeAsync();
        }
    }
}
