using Cheshire.Styx.Tests;
using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting.Tests;

/// <summary>A temp folder of scripts, each served over its own loopback 9P server; everything is removed on dispose.</summary>
internal sealed class ScriptFolder : IAsyncDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("styx-scripting-");
    private readonly List<IAsyncDisposable> _owned = [];

    public CollectingLogger Log { get; } = new();

    public string PathOf(string name) => Path.Combine(_folder.FullName, name);

    public string Write(string name, string source)
    {
        string path = PathOf(name);
        File.WriteAllText(path + ".tmp", source);
        File.Move(path + ".tmp", path, overwrite: true); // whole, as editors save
        return path;
    }

    /// <summary>Copies a sample from services/styx-provider/samples (copied next to the test assembly).</summary>
    public string Sample(string name) => Write(name, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "samples", name)));

    public async Task<LoopbackServer> ServeAsync(string path, ScriptLimits? limits = null)
    {
        var fileSystem = new ScriptFileSystem(path, limits, Log);
        var server = new LoopbackServer(fileSystem);
        _owned.Add(fileSystem);
        _owned.Add(server);
        return await Task.FromResult(server);
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) await _owned[i].DisposeAsync();
        _folder.Delete(recursive: true);
    }
}

/// <summary>Keeps what the scripts' file systems logged, for tests that check what an operator would read.</summary>
internal sealed class CollectingLogger : ILogger
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Text)> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));
}
