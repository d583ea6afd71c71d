using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Treaddir: fid[4] offset[8] count[4].</summary>
public sealed record Treaddir(ushort Tag, uint Fid, ulong Offset, uint Count) : Message(Tag)
{
    public override MessageType Type => MessageType.Treaddir;
    public override int BodySize(Dialect d) => 16;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U64(Offset); w.U32(Count); }
    internal static Treaddir Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U64(), r.U32());
}

/// <summary>Rreaddir: count[4] data[count], data being <see cref="Dirent"/> records.</summary>
public sealed record Rreaddir(ushort Tag, ReadOnlyMemory<byte> Data) : Message(Tag)
{
    internal PooledData? Owner { get; init; }
    public override MessageType Type => MessageType.Rreaddir;
    public override int BodySize(Dialect d) => 4 + Data.Length;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32((uint)Data.Length); w.Bytes(Data.Span); }
    public override void Release() => Owner?.Return();

    internal static Rreaddir Read(ushort tag, ref StyxReader r)
    {
        var data = PooledData.Copy(r.CountedBytes(), out var owner);
        return new(tag, data) { Owner = owner };
    }
}

/// <summary>Tfsync: fid[4] datasync[4].</summary>
public sealed record Tfsync(ushort Tag, uint Fid, uint DataSync) : Message(Tag)
{
    public override MessageType Type => MessageType.Tfsync;
    public override int BodySize(Dialect d) => 8;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U32(DataSync); }
    internal static Tfsync Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U32());
}

public sealed record Rfsync(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rfsync;
}

/// <summary>Tlink: dfid[4] fid[4] name[s].</summary>
public sealed record Tlink(ushort Tag, uint DirectoryFid, uint Fid, string Name) : Message(Tag)
{
    public override MessageType Type => MessageType.Tlink;
    public override int BodySize(Dialect d) => 8 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(DirectoryFid); w.U32(Fid); w.Str(Name); }
    internal static Tlink Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U32(), r.Str());
}

public sealed record Rlink(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rlink;
}

/// <summary>Tmkdir: dfid[4] name[s] mode[4] gid[4].</summary>
public sealed record Tmkdir(ushort Tag, uint DirectoryFid, string Name, uint Mode, uint Gid) : Message(Tag)
{
    public override MessageType Type => MessageType.Tmkdir;
    public override int BodySize(Dialect d) => 12 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(DirectoryFid); w.Str(Name); w.U32(Mode); w.U32(Gid); }
    internal static Tmkdir Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.U32(), r.U32());
}

public sealed record Rmkdir(ushort Tag, Qid Qid) : QidMessage(Tag, Qid)
{
    public override MessageType Type => MessageType.Rmkdir;
}

/// <summary>Trenameat: olddirfid[4] oldname[s] newdirfid[4] newname[s].</summary>
public sealed record Trenameat(ushort Tag, uint OldDirectoryFid, string OldName, uint NewDirectoryFid, string NewName) : Message(Tag)
{
    public override MessageType Type => MessageType.Trenameat;
    public override int BodySize(Dialect d) => 8 + S(OldName) + S(NewName);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(OldDirectoryFid); w.Str(OldName); w.U32(NewDirectoryFid); w.Str(NewName);
    }

    internal static Trenameat Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.U32(), r.Str());
}

public sealed record Rrenameat(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rrenameat;
}

/// <summary>Tunlinkat: dirfd[4] name[s] flags[4] (flags 0x200 = AT_REMOVEDIR).</summary>
public sealed record Tunlinkat(ushort Tag, uint DirectoryFid, string Name, uint Flags) : Message(Tag)
{
    public const uint RemoveDirectory = 0x200;
    public override MessageType Type => MessageType.Tunlinkat;
    public override int BodySize(Dialect d) => 8 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(DirectoryFid); w.Str(Name); w.U32(Flags); }
    internal static Tunlinkat Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.U32());
}

public sealed record Runlinkat(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Runlinkat;
}

/// <summary>One entry of Rreaddir data: qid[13] offset[8] type[1] name[s].</summary>
public readonly record struct Dirent(Qid Qid, ulong Offset, byte Type, string Name)
{
    public int WireSize => Qid.Size + 8 + 1 + StyxWriter.StrSize(Name);

    public void Write(ref StyxWriter w)
    {
        w.Qid(Qid); w.U64(Offset); w.U8(Type); w.Str(Name);
    }

    public static Dirent Read(ref StyxReader r) => new(r.Qid(), r.U64(), r.U8(), r.Str());

    public static List<Dirent> ReadAll(ReadOnlySpan<byte> data)
    {
        var entries = new List<Dirent>();
        var reader = new StyxReader(data);
        while (reader.Remaining > 0) entries.Add(Read(ref reader));
        return entries;
    }
}
