using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>One 9P message. Subclasses know their body layout; the frame header is added by the encoder.</summary>
public abstract record Message(ushort Tag)
{
    public abstract MessageType Type { get; }

    /// <summary>Bytes of the body (everything after size[4] type[1] tag[2]).</summary>
    public abstract int BodySize(Dialect dialect);

    public abstract void WriteBody(ref StyxWriter writer, Dialect dialect);

    /// <summary>Returns pooled buffers held by this message (Twrite/Rread data). Safe to call more than once.</summary>
    public virtual void Release()
    {
    }

    protected static int S(string value) => StyxWriter.StrSize(value);
}

/// <summary>A reply that has no body (Rclunk, Rflush, Rfsync, ...).</summary>
public abstract record EmptyMessage(ushort Tag) : Message(Tag)
{
    public sealed override int BodySize(Dialect dialect) => 0;

    public sealed override void WriteBody(ref StyxWriter writer, Dialect dialect)
    {
    }
}

/// <summary>A request whose body is just fid[4] (Tclunk, Tremove, Tstat, ...).</summary>
public abstract record FidMessage(ushort Tag, uint Fid) : Message(Tag)
{
    public sealed override int BodySize(Dialect dialect) => 4;

    public sealed override void WriteBody(ref StyxWriter writer, Dialect dialect) => writer.U32(Fid);
}

/// <summary>A reply whose body is just qid[13] (Rattach, Rauth, Rmkdir, ...).</summary>
public abstract record QidMessage(ushort Tag, Qid Qid) : Message(Tag)
{
    public sealed override int BodySize(Dialect dialect) => Qid.Size;

    public sealed override void WriteBody(ref StyxWriter writer, Dialect dialect) => writer.Qid(Qid);
}

/// <summary>A reply of qid[13] iounit[4] (Ropen, Rcreate, Rlopen, Rlcreate).</summary>
public abstract record OpenedMessage(ushort Tag, Qid Qid, uint IoUnit) : Message(Tag)
{
    public sealed override int BodySize(Dialect dialect) => Qid.Size + 4;

    public sealed override void WriteBody(ref StyxWriter writer, Dialect dialect)
    {
        writer.Qid(Qid);
        writer.U32(IoUnit);
    }
}
