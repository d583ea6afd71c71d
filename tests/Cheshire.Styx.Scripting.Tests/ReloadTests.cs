using Cheshire.Styx.Protocol;
using Cheshire.Testing;
using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>Scripts are reloaded when their file changes; a broken version never replaces a working one.</summary>
public sealed class ReloadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static string Version(string text) => TestScripts.Flat(["v"], $"return readstr(\"{text}\", offset, count);");

    [Fact]
    public async Task An_edited_script_is_served_once_saved()
    {
        await using var folder = new ScriptFolder();
        string path = folder.Write("live.js", Version("one"));
        var server = await folder.ServeAsync(path);
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);
        Assert.Equal("one", await client.ReadAsync("v"));

        folder.Write("live.js", Version("two"));
        await Eventually.TrueAsync(async () => await client.ReadAsync("v") == "two", Bound, "the edited script serves");
        File.WriteAllText(path, Version("three")); // in place, not replaced
        await Eventually.TrueAsync(async () => await client.ReadAsync("v") == "three", Bound, "the script edited in place serves");
    }

    [Fact]
    public async Task A_syntax_error_keeps_the_previous_version_serving()
    {
        await using var folder = new ScriptFolder();
        string path = folder.Write("live.js", Version("one"));
        var server = await folder.ServeAsync(path);
        await using var client = await PathClient.ConnectAsync(server, DialectNames.Linux);
        Assert.Equal("one", await client.ReadAsync("v"));

        folder.Write("live.js", "function stat(path) {\n  return { type: 'dir' ;\n}\n");
        await Eventually.TrueAsync(() => Task.FromResult(folder.Log.Entries.Any(e =>
            e.Level == LogLevel.Error && e.Text.Contains("live.js: reload failed at line 2"))), Bound, "the syntax error is logged");
        Assert.Equal("one", await client.ReadAsync("v"));

        folder.Write("live.js", "throw new Error('top-level code fails');\n" + Version("never"));
        await Eventually.TrueAsync(() => Task.FromResult(folder.Log.Entries.Any(e =>
            e.Level == LogLevel.Error && e.Text.Contains("top-level code fails"))), Bound, "the failing top-level code is logged");
        Assert.Equal("one", await client.ReadAsync("v"));

        folder.Write("live.js", Version("fixed"));
        await Eventually.TrueAsync(async () => await client.ReadAsync("v") == "fixed", Bound, "the fixed script serves");
    }
}
