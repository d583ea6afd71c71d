using System.Collections.Concurrent;

namespace Cheshire.Styx.Scripting;

/// <summary>
/// Qid paths for script paths: a number per path, given the first time the path is seen and kept for the life of the
/// file system (across reloads), so it is unique and stable. Bits 48–63 stay zero (the namespace uses them).
/// </summary>
internal sealed class QidTable
{
    private const ulong MaxPath = (1UL << 48) - 1;
    private readonly ConcurrentDictionary<string, ulong> _paths = new(StringComparer.Ordinal);
    private long _next;

    public ulong this[string path] => _paths.GetOrAdd(path, static (_, table) => table.Next(), this);

    private ulong Next()
    {
        ulong number = (ulong)Interlocked.Increment(ref _next);
        return number <= MaxPath ? number : throw new InvalidOperationException("qid paths exhausted");
    }
}
