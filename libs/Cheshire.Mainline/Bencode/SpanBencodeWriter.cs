using System.Buffers.Text;

namespace Cheshire.Mainline.Bencode;

/// <summary>
/// Writes bencode straight into a caller's buffer, for replies built on the hot path. The caller writes keys in
/// ascending order (canonical form, as <see cref="BencodeWriter"/> produces). Throws when the buffer is too small.
/// </summary>
internal ref struct SpanBencodeWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _position;

    public readonly int Written => _position;

    public void Raw(scoped ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[_position..]);
        _position += bytes.Length;
    }

    public void Byte(byte value) => _buffer[_position++] = value;

    public void String(scoped ReadOnlySpan<byte> bytes)
    {
        Length(bytes.Length);
        Raw(bytes);
    }

    /// <summary>A string's <c>length:</c> header; the caller then writes that many bytes.</summary>
    public void Length(int length)
    {
        if (!Utf8Formatter.TryFormat(length, _buffer[_position..], out var written))
            throw new ArgumentException("reply buffer too small");
        _position += written;
        Byte((byte)':');
    }

    /// <summary>Room for <paramref name="length"/> bytes the caller fills in place.</summary>
    public Span<byte> Reserve(int length)
    {
        var span = _buffer.Slice(_position, length);
        _position += length;
        return span;
    }
}
