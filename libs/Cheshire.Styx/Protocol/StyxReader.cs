using System.Buffers.Binary;
using System.Text;

namespace Cheshire.Styx.Protocol;

/// <summary>Reads little-endian 9P fields from one frame body; every overrun is a protocol error.</summary>
public ref struct StyxReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private int _position;

    public StyxReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int Remaining => _buffer.Length - _position;
    public readonly int Position => _position;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _buffer.Length - _position)
            throw new StyxProtocolException("field runs past the end of the frame");
        var span = _buffer.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte U8() => Take(1)[0];
    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));
    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public string Str()
    {
        int length = U16();
        var bytes = Take(length);
        return length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes);
    }

    public Qid Qid() => new((QidType)U8(), U32(), U64());

    public ReadOnlySpan<byte> Bytes(int count) => Take(count);

    /// <summary>Reads count[4] then that many bytes.</summary>
    public ReadOnlySpan<byte> CountedBytes() => Take(checked((int)Math.Min(U32(), int.MaxValue)));
}
