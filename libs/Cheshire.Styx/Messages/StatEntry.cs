using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>
/// The 9P2000 stat structure: size[2] type[2] dev[4] qid[13] mode[4] atime[4] mtime[4] length[8]
/// name[s] uid[s] gid[s] muid[s], and in 9P2000.u also extension[s] n_uid[4] n_gid[4] n_muid[4].
/// For Twstat, "don't touch" is all ones for numbers and empty for strings (see <see cref="DontTouch"/>).
/// </summary>
public sealed record StatEntry(
    ushort Type, uint Dev, Qid Qid, uint Mode, uint Atime, uint Mtime, ulong Length,
    string Name, string Uid, string Gid, string Muid,
    string Extension = "", uint NUid = StatEntry.NoId, uint NGid = StatEntry.NoId, uint NMuid = StatEntry.NoId)
{
    public const uint NoId = 0xFFFFFFFF;

    /// <summary>A Twstat stat that changes nothing; use <c>with</c> to set the fields to change.</summary>
    public static StatEntry DontTouch { get; } = new(
        ushort.MaxValue, uint.MaxValue, new Qid((QidType)0xFF, uint.MaxValue, ulong.MaxValue),
        uint.MaxValue, uint.MaxValue, uint.MaxValue, ulong.MaxValue, "", "", "", "");

    /// <summary>Size on the wire including the leading size[2].</summary>
    public int WireSize(Dialect d) =>
        2 + 2 + 4 + Qid.Size + 4 + 4 + 4 + 8 + StyxWriter.StrSize(Name) + StyxWriter.StrSize(Uid) +
        StyxWriter.StrSize(Gid) + StyxWriter.StrSize(Muid) +
        (d == Dialect.Unix ? StyxWriter.StrSize(Extension) + 12 : 0);

    public void Write(ref StyxWriter w, Dialect d)
    {
        w.U16((ushort)(WireSize(d) - 2));
        w.U16(Type); w.U32(Dev); w.Qid(Qid); w.U32(Mode); w.U32(Atime); w.U32(Mtime); w.U64(Length);
        w.Str(Name); w.Str(Uid); w.Str(Gid); w.Str(Muid);
        if (d == Dialect.Unix)
        {
            w.Str(Extension); w.U32(NUid); w.U32(NGid); w.U32(NMuid);
        }
    }

    /// <summary>Reads one stat (with its size[2]); the fields must fit inside the declared size.</summary>
    public static StatEntry Read(ref StyxReader outer, Dialect d)
    {
        int size = outer.U16();
        var inner = new StyxReader(outer.Bytes(size));
        var stat = new StatEntry(inner.U16(), inner.U32(), inner.Qid(), inner.U32(), inner.U32(), inner.U32(), inner.U64(),
            inner.Str(), inner.Str(), inner.Str(), inner.Str());
        if (d == Dialect.Unix)
            stat = stat with { Extension = inner.Str(), NUid = inner.U32(), NGid = inner.U32(), NMuid = inner.U32() };
        return stat;
    }

    /// <summary>Parses the data of a 9P2000 directory read: a run of whole stat entries.</summary>
    public static List<StatEntry> ReadDirectory(ReadOnlySpan<byte> data, Dialect d)
    {
        var entries = new List<StatEntry>();
        var reader = new StyxReader(data);
        while (reader.Remaining > 0) entries.Add(Read(ref reader, d));
        return entries;
    }
}
