using Microsoft.Extensions.Logging;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// Calls back when a file may have changed: file system events (debounced, since editors write in several steps and
/// often replace the file by a rename) and, as a safety net for missed events, polling at a fixed interval.
/// </summary>
internal sealed class ScriptWatcher : IAsyncDisposable
{
    private static readonly TimeSpan s_debounce = TimeSpan.FromMilliseconds(50);
    private readonly FileSystemWatcher? _events;
    private readonly Timer _timer;
    private readonly TimeSpan _pollInterval;
    private readonly Action _changed;
    private readonly ILogger _logger;

    public ScriptWatcher(string path, TimeSpan pollInterval, Action changed, ILogger logger)
    {
        _pollInterval = pollInterval;
        _changed = changed;
        _logger = logger;
        _timer = new Timer(_ => Check(), null, pollInterval, pollInterval);
        try
        {
            _events = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
            };
            _events.Changed += (_, _) => Soon();
            _events.Created += (_, _) => Soon();
            _events.Renamed += (_, _) => Soon();
            _events.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            logger.LogWarning("cannot watch {Path} ({Error}); changes are found by polling every {Interval}", path, e.Message, pollInterval);
        }
    }

    private void Soon() => _timer.Change(s_debounce, _pollInterval);

    private void Check()
    {
        try
        {
            _changed();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "checking the script for changes failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events?.Dispose();
        await _timer.DisposeAsync();
    }
}
