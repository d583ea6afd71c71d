namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// What the files of one control tree share: the count of ctl commands run (text a stat generated before a command
/// no longer stands for the file after it: a read after "bootstrap" shows the new routing table), and when the
/// module was last found unreachable (stat then reports the last known length at once instead of asking again, so
/// listing a tree whose module is down does not take a failing call per file).
/// </summary>
public sealed class TreeState
{
    public static readonly TimeSpan UnreachableHold = TimeSpan.FromSeconds(5);

    private long _changes;
    private long _unreachableAt = -1;

    public long Changes => Interlocked.Read(ref _changes);

    public void Changed() => Interlocked.Increment(ref _changes);

    public void Unreachable() => Interlocked.Exchange(ref _unreachableAt, Environment.TickCount64);

    public bool RecentlyUnreachable
    {
        get
        {
            var at = Interlocked.Read(ref _unreachableAt);
            return at >= 0 && Environment.TickCount64 - at < (long)UnreachableHold.TotalMilliseconds;
        }
    }
}
