using System.Threading.Channels;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Watches the source tree's module and lib folders and hands out changed source files in batches: a batch ends once
/// no change has come for the debounce time (an editor's save, a git checkout, are many events).
/// </summary>
public sealed class SourceWatcher(SourceTree sources, ReloadSettings settings) : IDisposable
{
    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>();
    private readonly List<FileSystemWatcher> _watchers = [];

    public void Start()
    {
        // A folder inside another watched one is already covered.
        var folders = sources.AllFolders.Order(StringComparer.Ordinal).ToList();
        foreach (var folder in folders.Where(f => !folders.Any(o => o != f && f.StartsWith(o, StringComparison.Ordinal))))
        {
            if (Directory.Exists(folder))
                _watchers.Add(Watch(folder, Seen));
        }
    }

    /// <summary>A watcher of every file and folder below <paramref name="folder"/>, each changed path (both names of a rename) to <paramref name="seen"/>.</summary>
    public static FileSystemWatcher Watch(string folder, Action<string> seen)
    {
        var watcher = new FileSystemWatcher(folder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        watcher.Changed += (_, e) => seen(e.FullPath);
        watcher.Created += (_, e) => seen(e.FullPath);
        watcher.Deleted += (_, e) => seen(e.FullPath);
        watcher.Renamed += (_, e) =>
        {
            seen(e.OldFullPath);
            seen(e.FullPath);
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void Seen(string path)
    {
        if (SourceTree.IsSource(path))
            _changes.Writer.TryWrite(path);
    }

    /// <summary>The next batch of changed files (distinct), once the debounce time has passed without a change.</summary>
    public async Task<IReadOnlyList<string>> NextBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new HashSet<string> { await _changes.Reader.ReadAsync(cancellationToken) };
        while (true)
        {
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            quiet.CancelAfter(settings.Debounce);
            try
            {
                batch.Add(await _changes.Reader.ReadAsync(quiet.Token));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return [.. batch.Order(StringComparer.Ordinal)];
            }
        }
    }

    public void Dispose()
    {
        foreach (var watcher in _watchers)
            watcher.Dispose();
    }
}
