using System.Buffers.Binary;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>
/// The field layout of every 9P2000.L request a relay passes on (all but Tversion, Tauth and Tattach, which it answers
/// itself): <see cref="Check"/> walks a whole frame field by field, so a frame that would not decode is refused before
/// it reaches a shared connection, and says where its fids are.
/// </summary>
public static class FidLayout
{
    private enum Field : byte { Fid, OtherFid, NewFid, U8, U16, U32, U64, Str, Names, Data, OldTag }

    private static readonly Field[]?[] Layouts = Build();

    private static Field[]?[] Build()
    {
        var layouts = new Field[]?[256];
        void Add(MessageType type, params Field[] fields) => layouts[(int)type] = fields;
        const Field F = Field.Fid, S = Field.Str, W = Field.U32, L = Field.U64;
        Add(MessageType.Tstatfs, F);
        Add(MessageType.Tlopen, F, W);
        Add(MessageType.Tlcreate, F, S, W, W, W);
        Add(MessageType.Tsymlink, F, S, S, W);
        Add(MessageType.Tmknod, F, S, W, W, W, W);
        Add(MessageType.Trename, F, Field.OtherFid, S);
        Add(MessageType.Treadlink, F);
        Add(MessageType.Tgetattr, F, L);
        Add(MessageType.Tsetattr, F, W, W, W, W, L, L, L, L, L);
        Add(MessageType.Txattrwalk, F, Field.NewFid, S);
        Add(MessageType.Txattrcreate, F, S, L, W);
        Add(MessageType.Treaddir, F, L, W);
        Add(MessageType.Tfsync, F, W);
        Add(MessageType.Tlock, F, Field.U8, W, L, L, W, S);
        Add(MessageType.Tgetlock, F, Field.U8, L, L, W, S);
        Add(MessageType.Tlink, F, Field.OtherFid, S);
        Add(MessageType.Tmkdir, F, S, W, W);
        Add(MessageType.Trenameat, F, S, Field.OtherFid, S);
        Add(MessageType.Tunlinkat, F, S, W);
        Add(MessageType.Tflush, Field.OldTag);
        Add(MessageType.Twalk, F, Field.NewFid, Field.Names);
        Add(MessageType.Tread, F, L, W);
        Add(MessageType.Twrite, F, L, Field.Data);
        Add(MessageType.Tclunk, F);
        Add(MessageType.Tremove, F);
        return layouts;
    }

    /// <summary>True for the request types <see cref="Check"/> knows.</summary>
    public static bool IsRelayed(MessageType type) => Layouts[(int)type] is not null;

    /// <summary>
    /// Checks one whole frame (size[4] type[1] tag[2] body) against its type's layout: every field inside the frame,
    /// nothing after the last, at most 16 walk names, Twrite's count equal to its data.
    /// </summary>
    /// <exception cref="StyxProtocolException">The frame is not a well-formed relayed request.</exception>
    public static FidFields Check(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < StyxConstants.HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(frame) != (uint)frame.Length)
            throw new StyxProtocolException($"a frame of {frame.Length} bytes does not match its size field");
        var type = (MessageType)frame[4];
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(frame[5..]);
        var layout = Layouts[(int)type] ?? throw new StyxProtocolException($"message type {(byte)type} is not a 9P2000.L request a relay passes on", tag);
        var fields = new FidFields { Type = type, Fid = FidFields.None, OtherFid = FidFields.None, NewFid = FidFields.None,
            FreesFid = type is MessageType.Tclunk or MessageType.Tremove };
        int at = StyxConstants.HeaderSize;
        foreach (var field in layout)
        {
            switch (field)
            {
                case Field.Fid: fields = fields with { Fid = Take(frame, ref at, 4, type, tag) }; break;
                case Field.OtherFid: fields = fields with { OtherFid = Take(frame, ref at, 4, type, tag) }; break;
                case Field.NewFid: fields = fields with { NewFid = Take(frame, ref at, 4, type, tag) }; break;
                case Field.U8: Take(frame, ref at, 1, type, tag); break;
                case Field.U16: Take(frame, ref at, 2, type, tag); break;
                case Field.U32: Take(frame, ref at, 4, type, tag); break;
                case Field.U64: Take(frame, ref at, 8, type, tag); break;
                case Field.Str: SkipString(frame, ref at, type, tag); break;
                case Field.OldTag:
                    fields = fields with { OldTag = BinaryPrimitives.ReadUInt16LittleEndian(frame[Take(frame, ref at, 2, type, tag)..]) };
                    break;
                case Field.Names:
                    int names = BinaryPrimitives.ReadUInt16LittleEndian(frame[Take(frame, ref at, 2, type, tag)..]);
                    if (names > StyxConstants.MaxWalkElements)
                        throw new StyxProtocolException($"walk of {names} names exceeds {StyxConstants.MaxWalkElements}", tag, type);
                    for (int i = 0; i < names; i++) SkipString(frame, ref at, type, tag);
                    fields = fields with { WalkNames = names };
                    break;
                case Field.Data:
                    uint count = BinaryPrimitives.ReadUInt32LittleEndian(frame[Take(frame, ref at, 4, type, tag)..]);
                    if (count != frame.Length - at)
                        throw new StyxProtocolException($"{type} says {count} bytes of data but carries {frame.Length - at}", tag, type);
                    at = frame.Length;
                    break;
            }
        }
        if (at != frame.Length)
            throw new StyxProtocolException($"{type} has {frame.Length - at} bytes after its last field", tag, type);
        return fields;
    }

    /// <summary>Reads the fid at <paramref name="offset"/>.</summary>
    public static uint Read(ReadOnlySpan<byte> frame, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(frame[offset..]);

    /// <summary>Writes <paramref name="fid"/> at <paramref name="offset"/> (a fid field found by <see cref="Check"/>).</summary>
    public static void Write(Span<byte> frame, int offset, uint fid) => BinaryPrimitives.WriteUInt32LittleEndian(frame[offset..], fid);

    /// <summary>Writes the tag of a frame.</summary>
    public static void WriteTag(Span<byte> frame, ushort tag) => BinaryPrimitives.WriteUInt16LittleEndian(frame[5..], tag);

    /// <summary>Tflush: writes the tag it flushes.</summary>
    public static void WriteOldTag(Span<byte> frame, ushort oldTag) =>
        BinaryPrimitives.WriteUInt16LittleEndian(frame[StyxConstants.HeaderSize..], oldTag);

    private static int Take(ReadOnlySpan<byte> frame, ref int at, int length, MessageType type, ushort tag)
    {
        if (frame.Length - at < length)
            throw new StyxProtocolException($"{type} ends inside a field at byte {at}", tag, type);
        var start = at;
        at += length;
        return start;
    }

    private static void SkipString(ReadOnlySpan<byte> frame, ref int at, MessageType type, ushort tag)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(frame[Take(frame, ref at, 2, type, tag)..]);
        Take(frame, ref at, length, type, tag);
    }
}
