using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Topen: fid[4] mode[1].</summary>
public sealed record Topen(ushort Tag, uint Fid, StyxOpenMode Mode) : Message(Tag)
{
    public override MessageType Type => MessageType.Topen;
    public override int BodySize(Dialect d) => 5;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U8((byte)Mode); }
    internal static Topen Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), (StyxOpenMode)r.U8());
}

public sealed record Ropen(ushort Tag, Qid Qid, uint IoUnit) : OpenedMessage(Tag, Qid, IoUnit)
{
    public override MessageType Type => MessageType.Ropen;
}

/// <summary>Tcreate: fid[4] name[s] perm[4] mode[1], plus extension[s] in 9P2000.u.</summary>
public sealed record Tcreate(ushort Tag, uint Fid, string Name, uint Perm, StyxOpenMode Mode, string Extension = "") : Message(Tag)
{
    public override MessageType Type => MessageType.Tcreate;
    public override int BodySize(Dialect d) => 4 + S(Name) + 5 + (d == Dialect.Unix ? S(Extension) : 0);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.Str(Name); w.U32(Perm); w.U8((byte)Mode);
        if (d == Dialect.Unix) w.Str(Extension);
    }

    internal static Tcreate Read(ushort tag, ref StyxReader r, Dialect d) =>
        new(tag, r.U32(), r.Str(), r.U32(), (StyxOpenMode)r.U8(), d == Dialect.Unix ? r.Str() : "");
}

public sealed record Rcreate(ushort Tag, Qid Qid, uint IoUnit) : OpenedMessage(Tag, Qid, IoUnit)
{
    public override MessageType Type => MessageType.Rcreate;
}

/// <summary>Tclunk: fid[4].</summary>
public sealed record Tclunk(ushort Tag, uint Fid) : FidMessage(Tag, Fid)
{
    public override MessageType Type => MessageType.Tclunk;
}

public sealed record Rclunk(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rclunk;
}

/// <summary>Tremove: fid[4]; the fid is clunked whether or not the remove succeeds.</summary>
public sealed record Tremove(ushort Tag, uint Fid) : FidMessage(Tag, Fid)
{
    public override MessageType Type => MessageType.Tremove;
}

public sealed record Rremove(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rremove;
}
