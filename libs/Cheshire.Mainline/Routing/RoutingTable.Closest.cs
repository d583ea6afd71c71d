using System.Net.Sockets;

namespace Cheshire.Mainline.Routing;

public sealed partial class RoutingTable
{
    /// <summary>
    /// The same nodes, in the same order, as <c>Closest(target, count, family, confirmedOnly: true)</c>, written as
    /// concatenated compact node infos into <paramref name="destination"/>; returns the bytes written. No LINQ, no
    /// allocation: a partial insertion sort over the table.
    /// </summary>
    internal int WriteClosestConfirmed(ReadOnlySpan<byte> target, int count, AddressFamily family, Span<byte> destination)
    {
        var now = _clock.GetUtcNow();
        var best = t_best is { } cached && cached.Length >= count ? cached : t_best = new RoutingNode[Math.Max(count, 16)];
        var found = 0;
        lock (_lock)
        {
            foreach (var bucket in _buckets)
            {
                foreach (var node in bucket.Nodes)
                {
                    // The distance test first: most nodes are no closer than the current k-th and skip the rest.
                    if (found == count && count > 0 && !Closer(target, node.Id.Span, best[count - 1].Id.Span))
                        continue;
                    if (node.LastResponse is null || node.EndPoint.AddressFamily != family || node.StateAt(now, Options) == NodeState.Bad)
                        continue;
                    var at = found;
                    while (at > 0 && Closer(target, node.Id.Span, best[at - 1].Id.Span))
                        at--;
                    if (at >= count)
                        continue;
                    var last = Math.Min(found, count - 1);
                    Array.Copy(best, at, best, at + 1, last - at);
                    best[at] = node;
                    if (found < count)
                        found++;
                }
            }
        }
        var written = 0;
        for (var i = 0; i < found; i++)
        {
            var info = best[i].CompactInfo;
            info.CopyTo(destination[written..]);
            written += info.Length;
        }
        Array.Clear(best, 0, found);
        return written;
    }

    [ThreadStatic]
    private static RoutingNode[]? t_best;

    /// <summary>Bytes <see cref="WriteClosestConfirmed"/> needs at most.</summary>
    internal static int MaxCompactLength(int count, AddressFamily family) =>
        count * (family == AddressFamily.InterNetwork ? Krpc.Compact.Node4 : Krpc.Compact.Node6);

    private static bool Closer(ReadOnlySpan<byte> target, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var i = 0; i < target.Length; i++)
        {
            var da = target[i] ^ a[i];
            var db = target[i] ^ b[i];
            if (da != db)
                return da < db;
        }
        return false;
    }
}
