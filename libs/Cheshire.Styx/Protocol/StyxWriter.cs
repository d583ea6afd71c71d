using System.Buffers.Binary;
using System.Text;

namespace Cheshire.Styx.Protocol;

/// <summary>Writes little-endian 9P fields into a span sized beforehand.</summary>
public ref struct StyxWriter
{
    private readonly Span<byte> _buffer;
    private int _position;

    public StyxWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Position => _position;

    public void U8(byte value) => _buffer[_position++] = value;

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer[_position..], value);
        _position += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer[_position..], value);
        _position += 4;
    }

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer[_position..], value);
        _position += 8;
    }

    public void Str(string value)
    {
        int length = Encoding.UTF8.GetBytes(value, _buffer[(_position + 2)..]);
        U16((ushort)length);
        _position += length;
    }

    public void Qid(Qid qid)
    {
        U8((byte)qid.Type);
        U32(qid.Version);
        U64(qid.Path);
    }

    public void Bytes(ReadOnlySpan<byte> data)
    {
        data.CopyTo(_buffer[_position..]);
        _position += data.Length;
    }

    /// <summary>Size on the wire of a 9P string: u16 length + UTF-8 bytes.</summary>
    public static int StrSize(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
            throw new StyxProtocolException("string longer than 65535 bytes");
        return 2 + length;
    }
}
