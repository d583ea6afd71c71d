using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Tstatfs: fid[4].</summary>
public sealed record Tstatfs(ushort Tag, uint Fid) : FidMessage(Tag, Fid)
{
    public override MessageType Type => MessageType.Tstatfs;
}

/// <summary>Rstatfs: type[4] bsize[4] blocks[8] bfree[8] bavail[8] files[8] ffree[8] fsid[8] namelen[4].</summary>
public sealed record Rstatfs(ushort Tag, uint FsType, uint BlockSize, ulong Blocks, ulong BlocksFree, ulong BlocksAvailable,
    ulong Files, ulong FilesFree, ulong FsId, uint NameLength) : Message(Tag)
{
    public override MessageType Type => MessageType.Rstatfs;
    public override int BodySize(Dialect d) => 60;

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(FsType); w.U32(BlockSize); w.U64(Blocks); w.U64(BlocksFree); w.U64(BlocksAvailable);
        w.U64(Files); w.U64(FilesFree); w.U64(FsId); w.U32(NameLength);
    }

    internal static Rstatfs Read(ushort tag, ref StyxReader r) =>
        new(tag, r.U32(), r.U32(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U32());
}

/// <summary>Tlopen: fid[4] flags[4].</summary>
public sealed record Tlopen(ushort Tag, uint Fid, uint Flags) : Message(Tag)
{
    public override MessageType Type => MessageType.Tlopen;
    public override int BodySize(Dialect d) => 8;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U32(Flags); }
    internal static Tlopen Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U32());
}

public sealed record Rlopen(ushort Tag, Qid Qid, uint IoUnit) : OpenedMessage(Tag, Qid, IoUnit)
{
    public override MessageType Type => MessageType.Rlopen;
}

/// <summary>Tlcreate: fid[4] name[s] flags[4] mode[4] gid[4].</summary>
public sealed record Tlcreate(ushort Tag, uint Fid, string Name, uint Flags, uint Mode, uint Gid) : Message(Tag)
{
    public override MessageType Type => MessageType.Tlcreate;
    public override int BodySize(Dialect d) => 16 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.Str(Name); w.U32(Flags); w.U32(Mode); w.U32(Gid); }
    internal static Tlcreate Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.U32(), r.U32(), r.U32());
}

public sealed record Rlcreate(ushort Tag, Qid Qid, uint IoUnit) : OpenedMessage(Tag, Qid, IoUnit)
{
    public override MessageType Type => MessageType.Rlcreate;
}

/// <summary>Tsymlink: fid[4] name[s] symtgt[s] gid[4].</summary>
public sealed record Tsymlink(ushort Tag, uint Fid, string Name, string Target, uint Gid) : Message(Tag)
{
    public override MessageType Type => MessageType.Tsymlink;
    public override int BodySize(Dialect d) => 8 + S(Name) + S(Target);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.Str(Name); w.Str(Target); w.U32(Gid); }
    internal static Tsymlink Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.Str(), r.U32());
}

public sealed record Rsymlink(ushort Tag, Qid Qid) : QidMessage(Tag, Qid)
{
    public override MessageType Type => MessageType.Rsymlink;
}

/// <summary>Tmknod: dfid[4] name[s] mode[4] major[4] minor[4] gid[4].</summary>
public sealed record Tmknod(ushort Tag, uint DirectoryFid, string Name, uint Mode, uint Major, uint Minor, uint Gid) : Message(Tag)
{
    public override MessageType Type => MessageType.Tmknod;
    public override int BodySize(Dialect d) => 20 + S(Name);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(DirectoryFid); w.Str(Name); w.U32(Mode); w.U32(Major); w.U32(Minor); w.U32(Gid);
    }

    internal static Tmknod Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.U32(), r.U32(), r.U32(), r.U32());
}

public sealed record Rmknod(ushort Tag, Qid Qid) : QidMessage(Tag, Qid)
{
    public override MessageType Type => MessageType.Rmknod;
}

/// <summary>Trename: fid[4] dfid[4] name[s].</summary>
public sealed record Trename(ushort Tag, uint Fid, uint DirectoryFid, string Name) : Message(Tag)
{
    public override MessageType Type => MessageType.Trename;
    public override int BodySize(Dialect d) => 8 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U32(DirectoryFid); w.Str(Name); }
    internal static Trename Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U32(), r.Str());
}

public sealed record Rrename(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rrename;
}

/// <summary>Treadlink: fid[4].</summary>
public sealed record Treadlink(ushort Tag, uint Fid) : FidMessage(Tag, Fid)
{
    public override MessageType Type => MessageType.Treadlink;
}

/// <summary>Rreadlink: target[s].</summary>
public sealed record Rreadlink(ushort Tag, string Target) : Message(Tag)
{
    public override MessageType Type => MessageType.Rreadlink;
    public override int BodySize(Dialect d) => S(Target);
    public override void WriteBody(ref StyxWriter w, Dialect d) => w.Str(Target);
    internal static Rreadlink Read(ushort tag, ref StyxReader r) => new(tag, r.Str());
}
