namespace Cheshire.StyxProvider.Control.Files;

/// <summary>
/// Counts the commands run through a tree's ctl file: text a stat generated before a command no longer stands for
/// the file after it (a read after "bootstrap" shows the new routing table, not the one stat saw).
/// </summary>
public sealed class TreeChanges
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Changed() => Interlocked.Increment(ref _count);
}
