using System.Buffers;
using System.Buffers.Binary;
using Cheshire.Styx.Messages;

namespace Cheshire.Styx.Protocol;

/// <summary>Encodes messages straight into an <see cref="IBufferWriter{T}"/> (e.g. a PipeWriter).</summary>
public static class StyxMessageWriter
{
    /// <summary>Writes one whole frame; throws <see cref="StyxProtocolException"/> if it would exceed maxMessageSize.</summary>
    public static int Write(IBufferWriter<byte> output, Message message, Dialect dialect, uint maxMessageSize = uint.MaxValue)
    {
        long size = StyxConstants.HeaderSize + (long)message.BodySize(dialect);
        if (size > maxMessageSize || size > int.MaxValue)
            throw new StyxProtocolException($"{message.Type} of {size} bytes exceeds msize {maxMessageSize}", message.Tag, message.Type);
        var span = output.GetSpan((int)size)[..(int)size];
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)size);
        span[4] = (byte)message.Type;
        BinaryPrimitives.WriteUInt16LittleEndian(span[5..], message.Tag);
        var writer = new StyxWriter(span[StyxConstants.HeaderSize..]);
        message.WriteBody(ref writer, dialect);
        if (writer.Position != size - StyxConstants.HeaderSize)
            throw new InvalidOperationException($"{message.Type} wrote {writer.Position} bytes, declared {size - StyxConstants.HeaderSize}");
        output.Advance((int)size);
        return (int)size;
    }

    /// <summary>Encodes one frame into a new array (tests, diagnostics).</summary>
    public static byte[] ToArray(Message message, Dialect dialect)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, message, dialect);
        return buffer.WrittenSpan.ToArray();
    }
}
