using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Twalk: fid[4] newfid[4] nwname[2] nwname*(wname[s]); at most 16 names.</summary>
public sealed record Twalk(ushort Tag, uint Fid, uint NewFid, IReadOnlyList<string> Names) : Message(Tag)
{
    public override MessageType Type => MessageType.Twalk;

    public override int BodySize(Dialect d)
    {
        int size = 10;
        foreach (var name in Names) size += S(name);
        return size;
    }

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.U32(NewFid); w.U16((ushort)Names.Count);
        foreach (var name in Names) w.Str(name);
    }

    internal static Twalk Read(ushort tag, ref StyxReader r)
    {
        uint fid = r.U32(), newFid = r.U32();
        int count = r.U16();
        if (count > StyxConstants.MaxWalkElements)
            throw new StyxProtocolException($"walk of {count} names exceeds {StyxConstants.MaxWalkElements}");
        var names = count == 0 ? [] : new string[count];
        for (int i = 0; i < count; i++) names[i] = r.Str();
        return new(tag, fid, newFid, names);
    }
}

/// <summary>Rwalk: nwqid[2] nwqid*(qid[13]).</summary>
public sealed record Rwalk(ushort Tag, IReadOnlyList<Qid> Qids) : Message(Tag)
{
    public override MessageType Type => MessageType.Rwalk;
    public override int BodySize(Dialect d) => 2 + Qid.Size * Qids.Count;

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U16((ushort)Qids.Count);
        foreach (var qid in Qids) w.Qid(qid);
    }

    internal static Rwalk Read(ushort tag, ref StyxReader r)
    {
        int count = r.U16();
        if (count > StyxConstants.MaxWalkElements)
            throw new StyxProtocolException($"walk reply of {count} qids exceeds {StyxConstants.MaxWalkElements}");
        var qids = count == 0 ? [] : new Qid[count];
        for (int i = 0; i < count; i++) qids[i] = r.Qid();
        return new(tag, qids);
    }
}
