using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>
/// Directory reads: 9P2000/.u Tread returns whole stat entries, with offset either 0 (restart) or where the
/// previous read ended; 9P2000.L Treaddir returns dirents whose offset field is the cookie of the next entry.
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
                cursor = fid.Cursor = new DirectoryCursor(await fid.Node.ListAsync(ct));
            }
            else if (m.Offset != cursor.Offset)
            {
                throw new StyxErrorException(Errno.EINVAL, "bad offset in directory read");
            }

            var owner = PooledData.Rent((int)count);
            try
            {
                int written = 0;
                while (cursor.Index < cursor.Entries.Count)
                {
                    var entry = cursor.Entries[cursor.Index];
                    NodeAttributes attributes;
                    try
                    {
                        attributes = await entry.Node.GetAttributesAsync(ct);
                    }
                    catch (StyxErrorException)
                    {
                        cursor.Index++; // vanished since the listing
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
                    cursor.Index++;
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
            if (m.Offset == 0 || cursor is null)
            {
                var children = await fid.Node.ListAsync(ct);
                var entries = new List<DirectoryEntry>(children.Count + 2)
                {
                    new(".", fid.Node),
                    new("..", fid.Path.Up.Node),
                };
                entries.AddRange(children);
                cursor = fid.Cursor = new DirectoryCursor(entries);
            }

            var owner = PooledData.Rent((int)count);
            int written = 0;
            for (ulong index = m.Offset; index < (ulong)cursor.Entries.Count; index++)
            {
                var entry = cursor.Entries[(int)index];
                var qid = entry.Node.Qid;
                var dirent = new Dirent(qid, index + 1, AttributeConversions.DirentType(qid), entry.Name);
                int size = dirent.WireSize;
                if (size > count - written)
                {
                    if (written == 0)
                    {
                        owner.Return();
                        throw new StyxErrorException(Errno.EINVAL, "read count too small for a directory entry");
                    }
                    break;
                }
                var writer = new StyxWriter(owner.Array.AsSpan(written, size));
                dirent.Write(ref writer);
                written += size;
            }
            return new Rreaddir(m.Tag, new ReadOnlyMemory<byte>(owner.Array, 0, written)) { Owner = owner };
        }
        finally
        {
            fid.DirectoryGate.Release();
        }
    }
}
