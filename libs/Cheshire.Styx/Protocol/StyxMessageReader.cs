using System.Buffers;
using System.Buffers.Binary;
using Cheshire.Styx.Messages;

namespace Cheshire.Styx.Protocol;

/// <summary>
/// Frames and decodes 9P messages from a byte sequence (BedrockFramework-style message reader).
/// Enforces <see cref="MaxMessageSize"/>; a bad frame raises <see cref="StyxProtocolException"/>.
/// </summary>
public sealed class StyxMessageReader
{
    public StyxMessageReader(Dialect dialect = Dialect.Styx2000, uint maxMessageSize = StyxConstants.DefaultMessageSize)
    {
        Dialect = dialect;
        MaxMessageSize = maxMessageSize;
    }

    /// <summary>Decides the optional .u/.L fields; changed after Tversion.</summary>
    public Dialect Dialect { get; set; }

    /// <summary>The negotiated msize: frames larger than this are rejected.</summary>
    public uint MaxMessageSize { get; set; }

    /// <summary>
    /// Parses one message from the start of <paramref name="input"/>. Returns false when more bytes are
    /// needed. When a complete frame is malformed, <paramref name="consumed"/> is moved past it before the
    /// exception is thrown (<see cref="StyxProtocolException.FrameSkipped"/> is true).
    /// </summary>
    public bool TryParseMessage(in ReadOnlySequence<byte> input, ref SequencePosition consumed, ref SequencePosition examined, out Message message)
    {
        message = null!;
        if (input.Length < StyxConstants.HeaderSize)
        {
            if (input.Length >= 4) CheckSize(ReadSize(input), null);
            examined = input.End;
            return false;
        }

        Span<byte> header = stackalloc byte[StyxConstants.HeaderSize];
        input.Slice(0, StyxConstants.HeaderSize).CopyTo(header);
        uint size = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var type = (MessageType)header[4];
        ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(header[5..]);
        CheckSize(size, tag);

        if (input.Length < size)
        {
            examined = input.End;
            return false;
        }

        var frame = input.Slice(0, size);
        consumed = frame.End;
        examined = frame.End;
        message = DecodeFrame(frame, type, tag);
        return true;
    }

    private Message DecodeFrame(in ReadOnlySequence<byte> frame, MessageType type, ushort tag)
    {
        byte[]? rented = null;
        try
        {
            ReadOnlySpan<byte> span;
            if (frame.IsSingleSegment)
            {
                span = frame.FirstSpan;
            }
            else
            {
                rented = ArrayPool<byte>.Shared.Rent((int)frame.Length);
                frame.CopyTo(rented);
                span = rented.AsSpan(0, (int)frame.Length);
            }
            var reader = new StyxReader(span[StyxConstants.HeaderSize..]);
            return MessageDecoder.Decode(type, tag, ref reader, Dialect);
        }
        catch (StyxProtocolException e)
        {
            throw e.WithFrame(tag, Enum.IsDefined(type) ? type : null, skipped: true);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static uint ReadSize(in ReadOnlySequence<byte> input)
    {
        Span<byte> size = stackalloc byte[4];
        input.Slice(0, 4).CopyTo(size);
        return BinaryPrimitives.ReadUInt32LittleEndian(size);
    }

    private void CheckSize(uint size, ushort? tag)
    {
        if (size < StyxConstants.HeaderSize)
            throw new StyxProtocolException($"frame size {size} is smaller than the header", tag);
        if (size > MaxMessageSize)
            throw new StyxProtocolException($"frame size {size} exceeds msize {MaxMessageSize}", tag);
    }
}
