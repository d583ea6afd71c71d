using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>Scripts reach nothing but the API: no CLR, no modules, no network or file access.</summary>
public sealed class SandboxTests
{
    /// <summary>A script whose /probe file's read returns the value of <paramref name="expression"/>.</summary>
    private static string Probe(string expression) =>
        TestScripts.Flat(["probe"], $"return readstr(String({expression}), offset, count);");

    [Fact]
    public async Task No_host_objects_are_reachable()
    {
        await using var folder = new ScriptFolder();
        string names = "System importNamespace clr require importScripts fetch XMLHttpRequest process Deno Bun " +
            "setTimeout ShadowRealm SharedArrayBuffer Atomics";
        string expression = string.Join(" + ' ' + ", names.Split(' ').Select(n => $"typeof globalThis['{n}']"));
        var server = await folder.ServeAsync(folder.Write("probe.js", Probe(expression)));
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);

        Assert.Equal(string.Join(' ', names.Split(' ').Select(_ => "undefined")), await client.ReadAsync("probe"));
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/hostname')")]
    [InlineData("importNamespace('System.IO').File.ReadAllText('/etc/hostname')")]
    [InlineData("require('fs').readFileSync('/etc/hostname')")]
    [InlineData("(function () { return this; })().System")] // strict: this is undefined
    [InlineData("Function('return System')()")]
    [InlineData("new Error().constructor.constructor('return importNamespace')()('System')")]
    [InlineData("eval('import(\"fs\")')")]
    public async Task Reaching_for_the_CLR_fails(string expression)
    {
        await using var folder = new ScriptFolder();
        var server = await folder.ServeAsync(folder.Write("probe.js", Probe(expression)));
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);

        var error = await Assert.ThrowsAsync<StyxErrorException>(() => client.ReadAsync("probe"));
        Assert.Equal(Errno.EIO, error.Errno);
        Assert.Contains(folder.Log.Entries, e => e.Text.Contains("probe.js: stat /probe failed") || e.Text.Contains("probe.js: read /probe failed"));
    }
}
