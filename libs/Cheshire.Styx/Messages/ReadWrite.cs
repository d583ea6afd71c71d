using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Messages;

/// <summary>Tread: fid[4] offset[8] count[4].</summary>
public sealed record Tread(ushort Tag, uint Fid, ulong Offset, uint Count) : Message(Tag)
{
    public override MessageType Type => MessageType.Tread;
    public override int BodySize(Dialect d) => 16;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32(Fid); w.U64(Offset); w.U32(Count); }
    internal static Tread Read(ushort tag, ref StyxReader r) => new(tag, r.U32(), r.U64(), r.U32());
}

/// <summary>Rread: count[4] data[count]. Decoded data lives in a pooled buffer until <see cref="Release"/>.</summary>
public sealed record Rread(ushort Tag, ReadOnlyMemory<byte> Data) : Message(Tag)
{
    internal PooledData? Owner { get; init; }
    public override MessageType Type => MessageType.Rread;
    public override int BodySize(Dialect d) => 4 + Data.Length;
    public override void WriteBody(ref StyxWriter w, Dialect d) { w.U32((uint)Data.Length); w.Bytes(Data.Span); }
    public override void Release() => Owner?.Return();

    internal static Rread Read(ushort tag, ref StyxReader r)
    {
        var data = PooledData.Copy(r.CountedBytes(), out var owner);
        return new(tag, data) { Owner = owner };
    }
}

/// <summary>Twrite: fid[4] offset[8] count[4] data[count]. Decoded data is pooled until <see cref="Release"/>.</summary>
public sealed record Twrite(ushort Tag, uint Fid, ulong Offset, ReadOnlyMemory<byte> Data) : Message(Tag)
{
    internal PooledData? Owner { get; init; }
    public override MessageType Type => MessageType.Twrite;
    public override int BodySize(Dialect d) => 16 + Data.Length;

    public override void WriteBody(ref StyxWriter w, Dialect d)
    {
        w.U32(Fid); w.U64(Offset); w.U32((uint)Data.Length); w.Bytes(Data.Span);
    }

    public override void Release() => Owner?.Return();

    internal static Twrite Read(ushort tag, ref StyxReader r)
    {
        uint fid = r.U32();
        ulong offset = r.U64();
        var data = PooledData.Copy(r.CountedBytes(), out var owner);
        return new(tag, fid, offset, data) { Owner = owner };
    }
}

/// <summary>Rwrite: count[4].</summary>
public sealed record Rwrite(ushort Tag, uint Count) : Message(Tag)
{
    public override MessageType Type => MessageType.Rwrite;
    public override int BodySize(Dialect d) => 4;
    public override void WriteBody(ref StyxWriter w, Dialect d) => w.U32(Count);
    internal static Rwrite Read(ushort tag, ref StyxReader r) => new(tag, r.U32());
}
