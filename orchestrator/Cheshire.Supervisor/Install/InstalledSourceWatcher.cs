using System.Collections.Concurrent;
using Cheshire.Supervisor.Reload;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// Watches an installed module's folder (DATADIR/modules/NAME: its installed sources, not the checkout's libs) and
/// hands its changed source files (<see cref="SourceTree.IsSource"/>) to <paramref name="changed"/> in one batch once no
/// change has come for the debounce time. Disposing stops it; a batch being handed out finishes.
/// </summary>
public sealed class InstalledSourceWatcher : IDisposable
{
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, byte> _pending = new();
    private readonly TimeSpan _debounce;
    private readonly Func<IReadOnlyList<string>, Task> _changed;
    private readonly CancellationTokenSource _stopped = new();
    private long _generation;

    public InstalledSourceWatcher(string folder, TimeSpan debounce, Func<IReadOnlyList<string>, Task> changed)
    {
        _debounce = debounce;
        _changed = changed;
        _watcher = SourceWatcher.Watch(folder, Seen);
    }

    private void Seen(string path)
    {
        if (!SourceTree.IsSource(path) || _stopped.IsCancellationRequested)
            return;
        _pending[path] = 0;
        var generation = Interlocked.Increment(ref _generation);
        _ = QuietThenHandAsync(generation);
    }

    /// <summary>Hands out the pending files when no later change came within the debounce time.</summary>
    private async Task QuietThenHandAsync(long generation)
    {
        try
        {
            await Task.Delay(_debounce, _stopped.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (Interlocked.Read(ref _generation) != generation)
            return;
        var batch = _pending.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var path in batch)
            _pending.TryRemove(path, out _);
        if (batch.Count > 0)
            await _changed(batch);
    }

    public void Dispose()
    {
        _stopped.Cancel();
        _watcher.Dispose();
    }
}
