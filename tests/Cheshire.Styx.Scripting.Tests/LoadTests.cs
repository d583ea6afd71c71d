namespace Cheshire.Styx.Scripting.Tests;

/// <summary>Scripts that cannot be served fail when the file system is made, with the reason.</summary>
public sealed class LoadTests
{
    [Fact]
    public void A_missing_script_is_a_clear_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"no-such-script-{Guid.NewGuid():N}.js");
        var error = Assert.Throws<FileNotFoundException>(() => new ScriptFileSystem(path));
        Assert.Equal($"script {path} does not exist", error.Message);
    }

    [Fact]
    public async Task A_syntax_error_names_its_line()
    {
        await using var folder = new ScriptFolder();
        string path = folder.Write("broken.js", "function stat(path) {\n  return {;\n}\n");
        var error = Assert.Throws<ScriptLoadException>(() => new ScriptFileSystem(path));
        Assert.Equal(2, error.Line);
        Assert.StartsWith("broken.js: syntax error", error.Message);
    }

    [Fact]
    public async Task A_script_without_stat_is_refused()
    {
        await using var folder = new ScriptFolder();
        string path = folder.Write("empty.js", "function read() { return ''; }\n");
        var error = Assert.Throws<ScriptLoadException>(() => new ScriptFileSystem(path));
        Assert.Equal("empty.js: the script must define a function stat(path)", error.Message);
    }

    [Fact]
    public async Task Endless_top_level_code_is_stopped()
    {
        await using var folder = new ScriptFolder();
        string path = folder.Write("spin.js", "while (true) {}\n");
        var error = Assert.Throws<ScriptLoadException>(() => new ScriptFileSystem(path, new ScriptLimits { Timeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Contains("time limit of 300 ms exceeded", error.Message);
    }
}
