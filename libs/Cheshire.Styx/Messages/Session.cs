using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Tversion: msize[4] version[s].</summary>
public sealed record Tversion(ushort Tag, uint MaxSize, string Version) : Message(Tag)
{
    public override MessageType Type => MessageType.Tversion;
    public override int BodySize(Dialect dialect) => 4 + S(Version);
    public override void WriteBody(ref StyxWriter w, Dialect dialect) { w.U32(MaxSize); w.Str(Version); }
    internal static Tversion Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str());
}

/// <summary>Rversion: msize[4] version[s].</summary>
public sealed record Rversion(ushort Tag, uint MaxSize, string Version) : Message(Tag)
{
    public override MessageType Type => MessageType.Rversion;
    public override int BodySize(Dialect dialect) => 4 + S(Version);
    public override void WriteBody(ref StyxWriter w, Dialect dialect) { w.U32(MaxSize); w.Str(Version); }
    internal static Rversion Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.Str());
}

/// <summary>Tauth: afid[4] uname[s] aname[s], plus n_uname[4] in .u and .L.</summary>
public sealed record Tauth(ushort Tag, uint Afid, string Uname, string Aname, uint NUname = Tauth.NoUid) : Message(Tag)
{
    public const uint NoUid = 0xFFFFFFFF;
    public override MessageType Type => MessageType.Tauth;
    public override int BodySize(Dialect d) => 4 + S(Uname) + S(Aname) + (d == Dialect.Styx2000 ? 0 : 4);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Afid); w.Str(Uname); w.Str(Aname);
        if (d != Dialect.Styx2000) w.U32(NUname);
    }

    internal static Tauth Read(ushort tag, ref StyxReader r, Dialect d) =>
        new(tag, r.U32(), r.Str(), r.Str(), d == Dialect.Styx2000 ? NoUid : r.U32());
}

/// <summary>Rauth: aqid[13].</summary>
public sealed record Rauth(ushort Tag, Qid Qid) : QidMessage(Tag, Qid)
{
    public override MessageType Type => MessageType.Rauth;
}

/// <summary>Tattach: fid[4] afid[4] uname[s] aname[s], plus n_uname[4] in .u and .L.</summary>
public sealed record Tattach(ushort Tag, uint Fid, uint Afid, string Uname, string Aname, uint NUname = Tauth.NoUid) : Message(Tag)
{
    public override MessageType Type => MessageType.Tattach;
    public override int BodySize(Dialect d) => 8 + S(Uname) + S(Aname) + (d == Dialect.Styx2000 ? 0 : 4);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.U32(Afid); w.Str(Uname); w.Str(Aname);
        if (d != Dialect.Styx2000) w.U32(NUname);
    }

    internal static Tattach Read(ushort tag, ref StyxReader r, Dialect d) =>
        new(tag, r.U32(), r.U32(), r.Str(), r.Str(), d == Dialect.Styx2000 ? Tauth.NoUid : r.U32());
}

/// <summary>Rattach: qid[13].</summary>
public sealed record Rattach(ushort Tag, Qid Qid) : QidMessage(Tag, Qid)
{
    public override MessageType Type => MessageType.Rattach;
}

/// <summary>Rerror: ename[s], plus errno[4] in 9P2000.u.</summary>
public sealed record Rerror(ushort Tag, string Ename, Errno Errno = Errno.None) : Message(Tag)
{
    public override MessageType Type => MessageType.Rerror;
    public override int BodySize(Dialect d) => S(Ename) + (d == Dialect.Unix ? 4 : 0);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.Str(Ename);
        if (d == Dialect.Unix) w.U32((uint)Errno);
    }

    internal static Rerror Read(ushort tag, ref StyxReader r, Dialect d) =>
        new(tag, r.Str(), d == Dialect.Unix ? (Errno)r.U32() : Errno.None);
}

/// <summary>Rlerror: ecode[4] (9P2000.L).</summary>
public sealed record Rlerror(ushort Tag, Errno Errno) : Message(Tag)
{
    public override MessageType Type => MessageType.Rlerror;
    public override int BodySize(Dialect d) => 4;
    public override void WriteBody(ref StyxWriter w, Dialect d) => w.U32((uint)Errno);
    internal static Rlerror Read(ushort tag, ref StyxReader r) => new(tag, (Errno)r.U32());
}

/// <summary>Tflush: oldtag[2].</summary>
public sealed record Tflush(ushort Tag, ushort OldTag) : Message(Tag)
{
    public override MessageType Type => MessageType.Tflush;
    public override int BodySize(Dialect d) => 2;
    public override void WriteBody(ref StyxWriter w, Dialect d) => w.U16(OldTag);
    internal static Tflush Read(ushort tag, ref StyxReader r) => new(tag, r.U16());
}

public sealed record Rflush(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rflush;
}
