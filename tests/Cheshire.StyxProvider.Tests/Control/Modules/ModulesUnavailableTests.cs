using System.Diagnostics;
using System.Globalization;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.StyxProvider.Tests.Control.Modules;

/// <summary>/modules while the supervisor cannot be reached: a clear error within a bound, never a hang.</summary>
public sealed class ModulesUnavailableTests
{
    /// <summary>
    /// A supervisor known down (never reached: its watch found nothing listening) fails a read at once rather than at the
    /// read's deadline; 1.5 s leaves room for a loaded machine.
    /// </summary>
    private static readonly TimeSpan ErrorBound = TimeSpan.FromSeconds(1.5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ASupervisorThatDoesNotAnswerIsReportedUnavailable()
    {
        var port = FreePorts.Tcp(); // nothing listens there
        await using var node = await ProviderNode.StartAsync(more: new Dictionary<string, string>
        {
            ["services:supervisor:grpc:0"] = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
        });
        await using var fs = await ModulesMount.MountAsync(node.Provider.DataDirectory, Ct);

        var clock = Stopwatch.StartNew();
        var list = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadTextAsync("list", Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct));
        var took = clock.Elapsed;
        Assert.Equal(Errno.EIO, list.Errno);
        Assert.StartsWith("supervisor unavailable: not running: never reached (", list.Message);
        Assert.True(took < ErrorBound, $"reading list failed after {took}");

        clock.Restart();
        var walk = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadTextAsync("dht/status", Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct));
        Assert.StartsWith("supervisor unavailable: ", walk.Message);
        // A listing still answers (a find over the namespace must not fail here): only list, which says why.
        Assert.Equal(["list"], (await fs.ListAsync("", Ct).WaitAsync(TimeSpan.FromMinutes(2), Ct)).ToArray());
        Assert.True(clock.Elapsed < 2 * ErrorBound, $"a walk and a listing failed after {clock.Elapsed}");
        TestContext.Current.TestOutputHelper?.WriteLine($"list failed after {took.TotalSeconds:0.0} s: {list.Message}");
    }

    [Fact]
    public async Task WithoutTheSupervisorsAddressEveryFileSaysSoAtOnce()
    {
        await using var node = await ProviderNode.StartAsync();
        await using var fs = await ModulesMount.MountAsync(node.Provider.DataDirectory, Ct);

        var clock = Stopwatch.StartNew();
        var list = await Assert.ThrowsAsync<StyxErrorException>(() => fs.ReadTextAsync("list", Ct));
        Assert.Equal(Errno.EIO, list.Errno);
        Assert.Equal("supervisor unavailable: no address configured for it (services:supervisor:grpc:0, which the AppHost sets)", list.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
    }
}
