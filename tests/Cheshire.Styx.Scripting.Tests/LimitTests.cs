using System.Diagnostics;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>Scripts that run away are stopped with an errno naming the limit, and everything else keeps serving.</summary>
public sealed class LimitTests
{
    /// <summary>A script whose /bad file's read runs <paramref name="body"/>; /ok reads "ok".</summary>
    private static string Script(string body) => TestScripts.Flat(["ok", "bad"],
        $"if (handle.path === \"/bad\") {{ {body} }} return offset === 0 ? \"ok\" : \"\";", length: 2);

    private static readonly ScriptLimits Tight = new() { Timeout = TimeSpan.FromSeconds(2), MaxStatements = int.MaxValue - 1 };

    [Theory]
    [InlineData(DialectNames.Linux)]
    [InlineData(DialectNames.Styx2000)]
    public async Task An_endless_read_is_stopped_at_the_time_limit_while_other_files_and_scripts_answer(string version)
    {
        await using var folder = new ScriptFolder();
        var looping = await folder.ServeAsync(folder.Write("loop.js", Script("while (true) {}")), Tight);
        var clock = await folder.ServeAsync(folder.Sample("clock.js"));
        await using var loopClient = await PathClient.ConnectAsync(looping, version);
        await using var clockClient = await PathClient.ConnectAsync(clock, version);

        var watch = Stopwatch.StartNew();
        var endless = loopClient.ReadAsync("bad");
        // Another script answers while the loop runs.
        Assert.NotEmpty(await clockClient.ReadAsync("time"));
        Assert.False(endless.IsCompleted, "the endless read ended before the other script answered");
        var error = await Assert.ThrowsAsync<StyxErrorException>(() => endless);
        Assert.Equal(Errno.ETIME, error.Errno);
        Assert.InRange(watch.Elapsed, Tight.Timeout * 0.9, Tight.Timeout + TimeSpan.FromSeconds(3));

        // The same script's other file, and the looping file again, get answers.
        Assert.Equal("ok", await loopClient.ReadAsync("ok"));
        Assert.Equal(Errno.ETIME, (await Assert.ThrowsAsync<StyxErrorException>(() => loopClient.ReadAsync("bad"))).Errno);
        Assert.Equal("ok", await loopClient.ReadAsync("ok"));
        Assert.Contains(folder.Log.Entries, e => e.Text.Contains("loop.js: read /bad stopped: time limit of 2000 ms exceeded"));
    }

    [Fact]
    public async Task A_flushed_request_stops_its_call()
    {
        await using var folder = new ScriptFolder();
        var patient = new ScriptLimits { Timeout = TimeSpan.FromSeconds(60), MaxStatements = int.MaxValue - 1 };
        var server = await folder.ServeAsync(folder.Write("loop.js", Script("while (true) {}")), patient);
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);

        using var interrupt = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadAsync("bad", interrupt.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"interrupted after {watch.Elapsed}");
        // The loop no longer holds the engine: the next call is answered long before the 60 s limit.
        watch.Restart();
        Assert.Equal("ok", await client.ReadAsync("ok"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"answered after {watch.Elapsed}");
    }

    [Theory]
    [InlineData("var n = 0; while (true) { n++; }", Errno.EDQUOT)]
    [InlineData("function f(n) { return f(n + 1) + 1; } return f(0);", Errno.ELOOP)]
    [InlineData("var a = []; while (true) a.push(new Array(1e6));", Errno.ENOMEM)]
    [InlineData("var s = 'x'; while (true) s += s;", Errno.ENOMEM)]
    [InlineData("return 'x'.repeat(1e9);", Errno.ENOMEM)]
    [InlineData("return 'x'.repeat(2 ** 28);", Errno.ENOMEM)]
    [InlineData("return new Array(2 ** 31 - 1).join();", Errno.ENOMEM)]
    [InlineData("return Array.prototype.join.call({ length: 2 ** 31 - 1 });", Errno.ENOMEM)]
    [InlineData("var s = 'x'.repeat(1e6); return Array(1000).fill(s).join('');", Errno.ENOMEM)]
    [InlineData("var s = 'x'.repeat(1e6); return ''.concat(...Array(1000).fill(s));", Errno.ENOMEM)]
    [InlineData("var s = 'x'.repeat(1e6); return s.replaceAll('x', s);", Errno.ENOMEM)]
    [InlineData("var s = 'x'.repeat(1e6); return s.replace(/x/g, () => s);", Errno.ENOMEM)]
    [InlineData("return 'x'.padEnd(2 ** 29, 'ab');", Errno.ENOMEM)]
    [InlineData("var s = 'x'.repeat(1e6); return JSON.stringify(Array(1000).fill(s));", Errno.ENOMEM)]
    [InlineData("var a = []; for (var i = 0; i < 1e4; i++) a = [a]; return JSON.stringify(a, null, 10);", Errno.ENOMEM)]
    [InlineData("var a = []; for (var i = 0; i < 2e5; i++) a = [a]; return String(a);", Errno.ELOOP)]
    [InlineData("return new Uint8Array(1e9);", Errno.ENOMEM)]
    [InlineData("return new Float64Array(2e8);", Errno.ENOMEM)]
    [InlineData("return new Uint8Array(4).constructor(1e9);", Errno.EIO)] // TypeError: needs new
    [InlineData("return new (new Uint8Array(4).constructor)(1e9);", Errno.ENOMEM)]
    [InlineData("return new ArrayBuffer(1e9);", Errno.ENOMEM)]
    [InlineData("return new ArrayBuffer(8).transfer(1e9);", Errno.ENOMEM)]
    [InlineData("var b = new ArrayBuffer(8, { maxByteLength: 2e9 }); b.resize(1e9); return '';", Errno.ENOMEM)]
    [InlineData("try { 'x'.repeat(1e9); } catch (e) { } return 'caught';", Errno.ENOMEM)]
    [InlineData("return /(a+)+$/.test('a'.repeat(40) + 'b') ? 'y' : 'n';", Errno.ETIME)]
    public async Task A_runaway_call_is_stopped_with_the_errno_of_its_limit_and_the_script_still_serves(string body, Errno expected)
    {
        await using var folder = new ScriptFolder();
        var limits = new ScriptLimits { Timeout = TimeSpan.FromSeconds(10), MaxStatements = 1_000_000, RegexTimeout = TimeSpan.FromMilliseconds(200) };
        var server = await folder.ServeAsync(folder.Write("bomb.js", Script(body)), limits);
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync("bad"));
        Assert.Equal(expected, error.Errno);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"stopped after {watch.Elapsed}, not by its limit");
        Assert.Equal("ok", await client.ReadAsync("ok"));
        Assert.Contains(folder.Log.Entries, e => e.Text.Contains(expected == Errno.EIO ? "read /bad failed" : "read /bad stopped"));
    }

    [Fact]
    public async Task The_limit_is_named_in_the_error_text_of_9P2000_u()
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Write("bomb.js", Script("return 'x'.repeat(1e9);")));
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Unix);
        var error = await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync("bad"));
        Assert.Equal(Errno.ENOMEM, error.Errno);
        Assert.Equal("script bomb.js: repeat would build a string of 1000000000 characters, over the limit of 16777216", error.Message);
    }
}
