using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Tlock: fid[4] type[1] flags[4] start[8] length[8] proc_id[4] client_id[s].</summary>
public sealed record Tlock(ushort Tag, uint Fid, byte LockType, uint Flags, ulong Start, ulong Length, uint ProcId, string ClientId) : Message(Tag)
{
    public override MessageType Type => MessageType.Tlock;
    public override int BodySize(Dialect d) => 29 + S(ClientId);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.U8(LockType); w.U32(Flags); w.U64(Start); w.U64(Length); w.U32(ProcId); w.Str(ClientId);
    }

    internal static Tlock Read(ushort tag, ref StyxReader r) =>
        new(tag, r.U32(), r.U8(), r.U32(), r.U64(), r.U64(), r.U32(), r.Str());
}

/// <summary>Rlock: status[1] (0 success, 1 blocked, 2 error, 3 grace).</summary>
public sealed record Rlock(ushort Tag, byte Status) : Message(Tag)
{
    public const byte Success = 0, Blocked = 1, Error = 2, Grace = 3;
    public override MessageType Type => MessageType.Rlock;
    public override int BodySize(Dialect d) => 1;
    public override void WriteBody(ref StyxWriter w, Dialect d) => w.U8(Status);
    internal static Rlock Read(ushort tag, ref StyxReader r) => new(tag, r.U8());
}

/// <summary>Tgetlock: fid[4] type[1] start[8] length[8] proc_id[4] client_id[s].</summary>
public sealed record Tgetlock(ushort Tag, uint Fid, byte LockType, ulong Start, ulong Length, uint ProcId, string ClientId) : Message(Tag)
{
    public override MessageType Type => MessageType.Tgetlock;
    public override int BodySize(Dialect d) => 25 + S(ClientId);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.U8(LockType); w.U64(Start); w.U64(Length); w.U32(ProcId); w.Str(ClientId);
    }

    internal static Tgetlock Read(ushort tag, ref StyxReader r) =>
        new(tag, r.U32(), r.U8(), r.U64(), r.U64(), r.U32(), r.Str());
}

/// <summary>Rgetlock: type[1] start[8] length[8] proc_id[4] client_id[s].</summary>
public sealed record Rgetlock(ushort Tag, byte LockType, ulong Start, ulong Length, uint ProcId, string ClientId) : Message(Tag)
{
    /// <summary>Lock types: read, write, unlocked.</summary>
    public const byte ReadLock = 0, WriteLock = 1, Unlocked = 2;
    public override MessageType Type => MessageType.Rgetlock;
    public override int BodySize(Dialect d) => 21 + S(ClientId);

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U8(LockType); w.U64(Start); w.U64(Length); w.U32(ProcId); w.Str(ClientId);
    }

    internal static Rgetlock Read(ushort tag, ref StyxReader r) => new(tag, r.U8(), r.U64(), r.U64(), r.U32(), r.Str());
}
