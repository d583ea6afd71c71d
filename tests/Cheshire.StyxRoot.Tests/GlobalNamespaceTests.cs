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
    public async Task WithStyxClientDownAWalkFailsWithEioSayingSoAndRootListsTheLocalNames()
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

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StyxErrorException>(() => unix.ListAsync("alice", Ct));
        Assert.Contains("resolving /alice: styx-client", error.Message, StringComparison.Ordinal);
        var linuxError = await Assert.ThrowsAsync<StyxErrorException>(() => linux.ListAsync("alice", Ct));
        Assert.Equal(Errno.EIO, linuxError.Errno);
        Assert.Equal(["cheshire", "tmp"], (await linux.ListAsync("", Ct)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("import", await linux.ReadTextAsync("cheshire/mounts", Ct), StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        Assert.Contains("Resolving /alice in the global namespace failed", module.Output);
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
}
