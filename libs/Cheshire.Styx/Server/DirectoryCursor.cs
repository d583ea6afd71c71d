using Cheshire.Styx.FileSystem;

namespace Cheshire.Styx.Server;

/// <summary>
/// A directory being read through one fid: a lazy stream of entries, how many have been handed out, and (9P2000)
/// the byte offset where the previous read ended. An entry that did not fit a reply is kept for the next one.
/// </summary>
internal sealed class DirectoryCursor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly IAsyncEnumerator<DirectoryEntry> _entries;
    private DirectoryEntry? _pending;
    private bool _ended;

    public DirectoryCursor(IAsyncEnumerable<DirectoryEntry> entries) => _entries = entries.GetAsyncEnumerator(_stop.Token);

    /// <summary>Entries taken so far: the .L cookie of the next entry.</summary>
    public ulong Index { get; private set; }

    /// <summary>9P2000: the byte offset the next Tread must ask for.</summary>
    public ulong Offset { get; set; }

    /// <summary>The next entry without taking it; null at the end.</summary>
    public async ValueTask<DirectoryEntry?> PeekAsync()
    {
        if (_pending is null && !_ended)
        {
            if (await _entries.MoveNextAsync()) _pending = _entries.Current;
            else _ended = true;
        }
        return _pending;
    }

    public void Take()
    {
        _pending = null;
        Index++;
    }

    /// <summary>Takes entries until <see cref="Index"/> is <paramref name="index"/> or the stream ends.</summary>
    public async ValueTask SkipToAsync(ulong index)
    {
        while (Index < index && await PeekAsync() is not null) Take();
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _entries.DisposeAsync();
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // a tree's enumerator may observe the cancellation while being disposed
        }
        _stop.Dispose();
    }
}
