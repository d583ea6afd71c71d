using System.Runtime.CompilerServices;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>
/// Directory reads: 9P2000/.u Tread returns whole stat entries, with offset either 0 (restart) or where the
/// previous read ended; 9P2000.L Treaddir returns dirents whose offset field is the cookie of the next entry.
/// Entries are streamed from the tree (<see cref="INode.EnumerateAsync"/>), never listed whole.
/// </summary>
internal static class DirectoryReads
{
    public static async ValueTask<Message> ReadStatsAsync(Fid fid, Tread m, uint count, Dialect dialect, CancellationToken ct)
    {
        await fid.DirectoryGate.WaitAsync(ct);
        try
        {
            var cursor = fid.Cursor;
            if (m.Offset == 0 || cursor is null)
            {
                if (m.Offset != 0) throw new StyxErrorException(Errno.EINVAL, "bad offset in directory read");
                await fid.SetCursorAsync(cursor = new DirectoryCursor(fid.Node.EnumerateAsync(CancellationToken.None)));
            }
            else if (m.Offset != cursor.Offset)
            {
                throw new StyxErrorException(Errno.EINVAL, "bad offset in directory read");
            }

            var owner = PooledData.Rent((int)count);
            try
            {
                int written = 0;
                while (await cursor.PeekAsync() is { } entry)
                {
                    NodeAttributes attributes;
                    try
                    {
                        attributes = await StatAttributes.GetAsync(entry.Node, dialect, ct);
                    }
                    catch (StyxErrorException)
                    {
                        cursor.Take(); // vanished since the listing
                        continue;
                    }
                    var stat = AttributeConversions.ToStat(attributes, dialect, entry.Name);
                    int size = stat.WireSize(dialect);
                    if (size > count - written)
                    {
                        if (written == 0) throw new StyxErrorException(Errno.EINVAL, "read count too small for a directory entry");
                        break;
                    }
                    var writer = new StyxWriter(owner.Array.AsSpan(written, size));
                    stat.Write(ref writer, dialect);
                    written += size;
                    cursor.Take();
                }
                cursor.Offset += (ulong)written;
                return new Rread(m.Tag, new ReadOnlyMemory<byte>(owner.Array, 0, written)) { Owner = owner };
            }
            catch
            {
                owner.Return();
                throw;
            }
        }
        finally
        {
            fid.DirectoryGate.Release();
        }
    }

    public static async ValueTask<Message> ReadDirentsAsync(Fid fid, Treaddir m, uint count, CancellationToken ct)
    {
        await fid.DirectoryGate.WaitAsync(ct);
        try
        {
            var cursor = fid.Cursor;
            if (cursor is null || m.Offset < cursor.Index)
                await fid.SetCursorAsync(cursor = new DirectoryCursor(WithDots(fid)));
            await cursor.SkipToAsync(m.Offset);

            var owner = PooledData.Rent((int)count);
            try
            {
                int written = 0;
                while (await cursor.PeekAsync() is { } entry)
                {
                    var qid = entry.Node.Qid;
                    var dirent = new Dirent(qid, cursor.Index + 1, AttributeConversions.DirentType(qid), entry.Name);
                    int size = dirent.WireSize;
                    if (size > count - written)
                    {
                        if (written == 0) throw new StyxErrorException(Errno.EINVAL, "read count too small for a directory entry");
                        break;
                    }
                    var writer = new StyxWriter(owner.Array.AsSpan(written, size));
                    dirent.Write(ref writer);
                    written += size;
                    cursor.Take();
                }
                return new Rreaddir(m.Tag, new ReadOnlyMemory<byte>(owner.Array, 0, written)) { Owner = owner };
            }
            catch
            {
                owner.Return();
                throw;
            }
        }
        finally
        {
            fid.DirectoryGate.Release();
        }
    }

    private static async IAsyncEnumerable<DirectoryEntry> WithDots(Fid fid, [EnumeratorCancellation] CancellationToken ct = default)
    {
        yield return new DirectoryEntry(".", fid.Node);
        yield return new DirectoryEntry("..", fid.Path.Up.Node);
        await foreach (var entry in fid.Node.EnumerateAsync(ct)) yield return entry;
    }
}
