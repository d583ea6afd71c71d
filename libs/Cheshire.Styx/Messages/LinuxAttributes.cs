using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Tgetattr: fid[4] request_mask[8].</summary>
public sealed record Tgetattr(ushort Tag, uint Fid, ulong RequestMask) : Message(Tag)
{
    public override MessageType Type => MessageType.Tgetattr;
    public override int BodySize(Dialect d) => 12;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U64(RequestMask); }
    internal static Tgetattr Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U64());
}

/// <summary>
/// Rgetattr: valid[8] qid[13] mode[4] uid[4] gid[4] nlink[8] rdev[8] size[8] blksize[8] blocks[8]
/// atime_sec[8] atime_nsec[8] mtime_sec[8] mtime_nsec[8] ctime_sec[8] ctime_nsec[8]
/// btime_sec[8] btime_nsec[8] gen[8] data_version[8].
/// </summary>
public sealed record Rgetattr(ushort Tag, ulong Valid, Qid Qid, uint Mode, uint Uid, uint Gid, ulong Nlink, ulong Rdev,
    ulong Size, ulong BlockSize, ulong Blocks, ulong AtimeSec, ulong AtimeNsec, ulong MtimeSec, ulong MtimeNsec,
    ulong CtimeSec, ulong CtimeNsec, ulong BtimeSec, ulong BtimeNsec, ulong Generation, ulong DataVersion) : Message(Tag)
{
    public override MessageType Type => MessageType.Rgetattr;
    public override int BodySize(Dialect d) => 8 + Qid.Size + 12 + 8 * 15;

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U64(Valid); w.Qid(Qid); w.U32(Mode); w.U32(Uid); w.U32(Gid);
        w.U64(Nlink); w.U64(Rdev); w.U64(Size); w.U64(BlockSize); w.U64(Blocks);
        w.U64(AtimeSec); w.U64(AtimeNsec); w.U64(MtimeSec); w.U64(MtimeNsec);
        w.U64(CtimeSec); w.U64(CtimeNsec); w.U64(BtimeSec); w.U64(BtimeNsec);
        w.U64(Generation); w.U64(DataVersion);
    }

    internal static Rgetattr Read(ushort tag, ref StyxReader r) => new(tag, r.U64(), r.Qid(), r.U32(), r.U32(), r.U32(),
        r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64(),
        r.U64(), r.U64(), r.U64(), r.U64(), r.U64(), r.U64());
}

/// <summary>Tsetattr: fid[4] valid[4] mode[4] uid[4] gid[4] size[8] atime_sec[8] atime_nsec[8] mtime_sec[8] mtime_nsec[8].</summary>
public sealed record Tsetattr(ushort Tag, uint Fid, uint Valid, uint Mode, uint Uid, uint Gid, ulong Size,
    ulong AtimeSec, ulong AtimeNsec, ulong MtimeSec, ulong MtimeNsec) : Message(Tag)
{
    public override MessageType Type => MessageType.Tsetattr;
    public override int BodySize(Dialect d) => 20 + 40;

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.U32(Valid); w.U32(Mode); w.U32(Uid); w.U32(Gid);
        w.U64(Size); w.U64(AtimeSec); w.U64(AtimeNsec); w.U64(MtimeSec); w.U64(MtimeNsec);
    }

    internal static Tsetattr Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U32(), r.U32(), r.U32(), r.U32(),
        r.U64(), r.U64(), r.U64(), r.U64(), r.U64());
}

public sealed record Rsetattr(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rsetattr;
}

/// <summary>Txattrwalk: fid[4] newfid[4] name[s].</summary>
public sealed record Txattrwalk(ushort Tag, uint Fid, uint NewFid, string Name) : Message(Tag)
{
    public override MessageType Type => MessageType.Txattrwalk;
    public override int BodySize(Dialect d) => 8 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U32(NewFid); w.Str(Name); }
    internal static Txattrwalk Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U32(), r.Str());
}

/// <summary>Rxattrwalk: size[8].</summary>
public sealed record Rxattrwalk(ushort Tag, ulong Size) : Message(Tag)
{
    public override MessageType Type => MessageType.Rxattrwalk;
    public override int BodySize(Dialect d) => 8;
    public override void WriteBody(ref StyxWriter w, Dialect d) => w.U64(Size);
    internal static Rxattrwalk Read(ushort tag, ref StyxReader r) => new(tag, r.U64());
}

/// <summary>Txattrcreate: fid[4] name[s] attr_size[8] flags[4].</summary>
public sealed record Txattrcreate(ushort Tag, uint Fid, string Name, ulong AttrSize, uint Flags) : Message(Tag)
{
    public override MessageType Type => MessageType.Txattrcreate;
    public override int BodySize(Dialect d) => 16 + S(Name);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.Str(Name); w.U64(AttrSize); w.U32(Flags); }
    internal static Txattrcreate Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str(), r.U64(), r.U32());
}

public sealed record Rxattrcreate(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rxattrcreate;
}

/// <summary>Bits of Tgetattr request_mask / Rgetattr valid.</summary>
public static class GetattrMask
{
    public const ulong Mode = 0x1, Nlink = 0x2, Uid = 0x4, Gid = 0x8, Rdev = 0x10, Atime = 0x20, Mtime = 0x40,
        Ctime = 0x80, Ino = 0x100, Size = 0x200, Blocks = 0x400, Btime = 0x800, Gen = 0x1000, DataVersion = 0x2000;
    public const ulong Basic = 0x7FF;
    public const ulong All = 0x3FFF;
}

/// <summary>Bits of Tsetattr valid.</summary>
public static class SetattrMask
{
    public const uint Mode = 0x1, Uid = 0x2, Gid = 0x4, Size = 0x8, Atime = 0x10, Mtime = 0x20, Ctime = 0x40,
        AtimeSet = 0x80, MtimeSet = 0x100;
}
