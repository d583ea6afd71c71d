using System.Buffers;
using System.Buffers.Binary;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>The fixed start of every 9P frame: size[4] type[1] tag[2], size counting the whole frame.</summary>
public readonly record struct FrameHeader(uint Size, MessageType Type, ushort Tag)
{
    /// <summary>Bytes of the header (= the smallest frame).</summary>
    public const int Length = StyxConstants.HeaderSize;

    /// <summary>Bytes after the header.</summary>
    public uint BodySize => Size - Length;

    /// <summary>
    /// Peeks the header at the start of <paramref name="buffer"/> (which may span segments) without consuming anything.
    /// False while fewer than 7 bytes are there. Throws <see cref="StyxProtocolException"/> as soon as the size field is
    /// readable and is below 7 or above <paramref name="maxSize"/> (the negotiated msize): the connection must close.
    /// </summary>
    public static bool TryRead(in ReadOnlySequence<byte> buffer, uint maxSize, out FrameHeader header)
    {
        header = default;
        if (buffer.Length < 4) return false;
        Span<byte> bytes = stackalloc byte[Length];
        var available = (int)Math.Min(buffer.Length, Length);
        buffer.Slice(0, available).CopyTo(bytes);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        ushort? tag = available == Length ? BinaryPrimitives.ReadUInt16LittleEndian(bytes[5..]) : null;
        if (size < Length)
            throw new StyxProtocolException($"frame size {size} is smaller than the header", tag);
        if (size > maxSize)
            throw new StyxProtocolException($"frame size {size} exceeds msize {maxSize}", tag);
        if (tag is null) return false;
        header = new FrameHeader(size, (MessageType)bytes[4], tag.Value);
        return true;
    }

    /// <summary>Writes the 7 header bytes into <paramref name="destination"/> (e.g. after rewriting the tag).</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, Size);
        destination[4] = (byte)Type;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[5..], Tag);
    }
}
