using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Tstat: fid[4].</summary>
public sealed record Tstat(ushort Tag, uint Fid) : FidMessage(Tag, Fid)
{
    public override MessageType Type => MessageType.Tstat;
}

/// <summary>Rstat: n[2] stat[n] (the stat itself begins with its own size[2]).</summary>
public sealed record Rstat(ushort Tag, StatEntry Stat) : Message(Tag)
{
    public override MessageType Type => MessageType.Rstat;
    public override int BodySize(Dialect d) => 2 + Stat.WireSize(d);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U16((ushort)Stat.WireSize(d)); Stat.Write(ref w, d); }

    internal static Rstat Read(ushort tag, ref StyxReader r, Dialect d)
    {
        var inner = new StyxReader(r.Bytes(r.U16()));
        return new(tag, StatEntry.Read(ref inner, d));
    }
}

/// <summary>Twstat: fid[4] n[2] stat[n].</summary>
public sealed record Twstat(ushort Tag, uint Fid, StatEntry Stat) : Message(Tag)
{
    public override MessageType Type => MessageType.Twstat;
    public override int BodySize(Dialect d) => 6 + Stat.WireSize(d);
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U16((ushort)Stat.WireSize(d)); Stat.Write(ref w, d); }

    internal static Twstat Read(ushort tag, ref StyxReader r, Dialect d)
    {
        uint fid = r.U32();
        var inner = new StyxReader(r.Bytes(r.U16()));
        return new(tag, fid, StatEntry.Read(ref inner, d));
    }
}

public sealed record Rwstat(ushort Tag) : EmptyMessage(Tag)
{
    public override MessageType Type => MessageType.Rwstat;
}
