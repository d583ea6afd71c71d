using System.Diagnostics;
using System.Net;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Engine;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Tests;

/// <summary>
/// Wireshark's BitTorrent DHT dissector, an independent decoder, reads every datagram our nodes
/// exchange as well-formed KRPC: each one decodes as bt-dht and none is marked malformed.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class KrpcCaptureTests : IAsyncDisposable
{
    private const string Tshark = "/usr/bin/tshark";
    private readonly string _capture = Path.Combine(Path.GetTempPath(), $"cheshire-krpc-{Guid.NewGuid():N}.pcap");
    private readonly List<MainlineNode> _nodes = [];
    private int _seen; // packets tshark has printed
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TsharkDecodesEveryQueryAndReplyAsKrpc()
    {
        Assert.True(File.Exists(Tshark), "tshark is not installed: run build/install-prerequisites.sh (apt-get install tshark).");
        for (var i = 0; i < 5; i++)
        {
            var node = new MainlineNode(new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0)),
                new MainlineOptions { MaintenanceInterval = TimeSpan.Zero, QueryTimeout = TimeSpan.FromSeconds(2) });
            node.Start();
            _nodes.Add(node);
        }
        var filter = string.Join(" or ", _nodes.Select(n => $"udp port {n.LocalEndPoint.Port}"));

        using var tshark = await StartCaptureAsync(filter);
        // tshark says "Capturing on" a moment before its capture filter is live: ping until it sees a datagram
        await WaitForAsync(async () =>
        {
            await _nodes[1].PingAsync(_nodes[0].LocalEndPoint, Ct);
            return Volatile.Read(ref _seen) > 0;
        }, "tshark never saw a datagram");
        foreach (var node in _nodes.Skip(1))
            await node.BootstrapAsync([_nodes[0].LocalEndPoint], Ct);
        await _nodes[1].AnnounceCheshireAsync("capture", 4242, Ct);
        Assert.NotEmpty(await _nodes[2].FindCheshirePeersAsync("capture", Ct));
        var put = await _nodes[3].PutImmutableAsync((BString)"captured", Ct);
        Assert.NotNull(await _nodes[4].GetImmutableAsync(put.Target, Ct));
        using var key = Storage.Bep44.CreateKey();
        await _nodes[3].PutMutableAsync(key, default, 1, (BString)"m", cancellationToken: Ct);
        Assert.NotNull(await _nodes[4].GetMutableAsync(Storage.Bep44.PublicKeyOf(key), cancellationToken: Ct));
        // every query sent and every answer received crossed lo: stop once tshark has shown at least that many
        // (it writes its file, and so prints, as traffic comes: keep pinging until the count is reached)
        var exchanged = _nodes.Select(n => n.Stats).Sum(st => st.QueriesSent.Values.Sum() + st.ResponsesReceived + st.ErrorsReceived);
        await WaitForAsync(async () =>
        {
            Assert.NotNull(await _nodes[1].PingAsync(_nodes[2].LocalEndPoint, Ct));
            return Volatile.Read(ref _seen) >= exchanged;
        }, $"tshark did not show the {exchanged} datagrams exchanged");
        await StopCaptureAsync(tshark);

        var udp = await CountAsync("udp");
        Assert.True(udp > 20, $"only {udp} datagrams captured");
        Assert.Equal(udp, await CountAsync("bt-dht"));
        Assert.Equal(0, await CountAsync("_ws.malformed"));
        var decoded = await RunAsync("-r", _capture, "-Y", "bt-dht", "-V");
        foreach (var method in new[] { "ping", "find_node", "get_peers", "announce_peer", "get", "put" })
            Assert.Contains($"Value: {method}\n", decoded);
    }

    private async Task<Process> StartCaptureAsync(string filter)
    {
        var info = new ProcessStartInfo(Tshark) { RedirectStandardError = true, RedirectStandardOutput = true };
        // -P -l: also print one line per packet as it is captured, so the test can tell what tshark has seen
        foreach (var argument in new[] { "-i", "lo", "-f", filter, "-w", _capture, "-P", "-l" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data)) Interlocked.Increment(ref _seen);
        };
        var ready = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Capturing on", StringComparison.Ordinal) == true)
                ready.TrySetResult();
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(Ct), Task.Delay(TimeSpan.FromSeconds(30), Ct));
        Assert.True(started == ready.Task, "tshark did not start capturing on lo");
        return process;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string failure)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, failure);
            await Task.Delay(50, Ct);
        }
    }

    private static async Task StopCaptureAsync(Process tshark)
    {
        using (var kill = Process.Start("kill", ["-INT", tshark.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        await tshark.WaitForExitAsync(timeout.Token);
    }

    private async Task<int> CountAsync(string displayFilter) =>
        (await RunAsync("-r", _capture, "-Y", displayFilter)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;

    private static async Task<string> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Tshark) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"tshark {string.Join(' ', arguments)} failed: {await error}");
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
            await node.DisposeAsync();
        File.Delete(_capture);
    }
}
