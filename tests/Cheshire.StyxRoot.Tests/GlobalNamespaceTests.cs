using System.Diagnostics;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.StyxRoot.Tests;

/// <summary>styx-root asks styx-client for names its namespace lacks; here styx-client is configured but not running.</summary>
public sealed class GlobalNamespaceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WithStyxClientDownAWalkFailsWithEioSayingSoAndListingsAnswerAtOnceWithTheLocalNames()
    {
        await using var module = StyxRootProcess.Start(new Dictionary<string, string>
        {
            ["services:styx-client:grpc:0"] = $"http://127.0.0.1:{FreePorts.Tcp()}",
            ["Styx:ResolveSeconds"] = "3",
        });
        await module.WaitHealthyAsync(Bound, Ct);
        using var tcp = await module.ConnectStyxAsync(Ct);
        await using var unix = await StyxFs.MountAsync(tcp.GetStream(), uname: "tester", version: DialectNames.Unix, ct: Ct);
        using var tcpLinux = await module.ConnectStyxAsync(Ct);
        await using var linux = await StyxFs.MountAsync(tcpLinux.GetStream(), uname: "tester", ct: Ct);

        var first = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StyxErrorException>(() => unix.ListAsync("alice", Ct));
        Assert.Contains("resolving /alice: styx-client is unavailable", error.Message, StringComparison.Ordinal);
        Assert.True(first.Elapsed < TimeSpan.FromSeconds(10), $"the first walk took {first.Elapsed}");

        // The breaker is open now: nothing waits on styx-client until it answers again.
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal(["cheshire", "tmp"], (await linux.ListAsync("", Ct)).Order(StringComparer.Ordinal));
            var linuxError = await Assert.ThrowsAsync<StyxErrorException>(() => linux.ListAsync("bob", Ct));
            Assert.Equal(Errno.EIO, linuxError.Errno);
            var again = await Assert.ThrowsAsync<StyxErrorException>(() => unix.ListAsync("carol", Ct));
            Assert.Contains("resolving /carol: styx-client is unavailable", again.Message, StringComparison.Ordinal);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"ls / and two walks took {watch.Elapsed} with styx-client down");
        }
        Assert.DoesNotContain("import", await linux.ReadTextAsync("cheshire/mounts", Ct), StringComparison.Ordinal);
        Assert.Contains("styx-client is unavailable", module.Output);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("301")]
    public async Task ABadResolveTimeoutStopsTheModule(string seconds)
    {
        await using var module = StyxRootProcess.Start(new Dictionary<string, string> { ["Styx:ResolveSeconds"] = seconds });

        Assert.NotEqual(0, await module.WaitForExitAsync(Bound));
        Assert.Contains($"Styx:ResolveSeconds {seconds} must be more than 0 and at most 300", module.Output);
    }

    [Theory]
    [InlineData("BreakSeconds", "0.1", "must be at least 0.5 and at most 3600")]
    [InlineData("SamplingSeconds", "-1", "must be at least 0.5 and at most 3600")]
    [InlineData("MinimumCalls", "1", "must be at least 2 and at most 1000")]
    [InlineData("FailureRatio", "0", "must be more than 0 and at most 1")]
    public async Task ABadBreakerSettingStopsTheModuleNamingTheKey(string key, string value, string why)
    {
        await using var module = StyxRootProcess.Start(new Dictionary<string, string>
        {
            ["services:styx-client:grpc:0"] = $"http://127.0.0.1:{FreePorts.Tcp()}",
            [$"Styx:StyxClientBreaker:{key}"] = value,
        });

        Assert.NotEqual(0, await module.WaitForExitAsync(Bound));
        Assert.Contains($"Styx:StyxClientBreaker:{key} {value} {why}", module.Output);
    }
}
