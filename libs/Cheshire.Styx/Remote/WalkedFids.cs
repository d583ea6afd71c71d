using System.Collections.Concurrent;

namespace Cheshire.Styx.Remote;

/// <summary>
/// Fids a lookup walked and kept on the node it returned, for a short while: a walk is nearly always followed by an
/// open or a getattr of the same node (the 9P client walked a fid to open it), which then needs no walk of its own.
/// A kept fid that nothing used within <see cref="HoldTime"/> is clunked; at most <see cref="Capacity"/> are kept
/// per connection (a listing of a large directory walks every entry), beyond that a lookup clunks its fid at once.
/// </summary>
internal sealed class WalkedFids : IDisposable
{
    public const int Capacity = 1024;
    public static readonly TimeSpan HoldTime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentQueue<(RemoteNode Node, long Since)> _held = new();
    private readonly Lock _sweeping = new();
    private readonly Timer _sweeper;
    private int _count;

    public WalkedFids()
    {
        _sweeper = new Timer(_ => Sweep(all: false), null, HoldTime / 2, HoldTime / 2);
    }

    /// <summary>Keeps <paramref name="fid"/> of <paramref name="session"/> on <paramref name="node"/>; false (the caller clunks it) when full.</summary>
    public bool TryKeep(RemoteNode node, RemoteSession session, uint fid)
    {
        if (Interlocked.Increment(ref _count) > Capacity)
        {
            Interlocked.Decrement(ref _count);
            return false;
        }
        node.Keep(session, fid);
        _held.Enqueue((node, Environment.TickCount64));
        return true;
    }

    /// <summary>Ends every hold older than <see cref="HoldTime"/> (all of them when <paramref name="all"/>).</summary>
    public void Sweep(bool all)
    {
        if (!_sweeping.TryEnter()) return;
        try
        {
            var cutoff = Environment.TickCount64 - (long)HoldTime.TotalMilliseconds;
            while (_held.TryPeek(out var hold) && (all || hold.Since <= cutoff) && _held.TryDequeue(out hold))
            {
                hold.Node.EndKeep();
                Interlocked.Decrement(ref _count);
            }
        }
        finally
        {
            _sweeping.Exit();
        }
    }

    public void Dispose() => _sweeper.Dispose();
}
