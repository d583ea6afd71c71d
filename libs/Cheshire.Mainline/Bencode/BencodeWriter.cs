using System.Buffers;
using System.Buffers.Text;

namespace Cheshire.Mainline.Bencode;

/// <summary>Canonical bencode encoder: dictionaries are written in ascending raw key order.</summary>
public static class BencodeWriter
{
    public static byte[] Encode(BValue value)
    {
        var writer = new ArrayBufferWriter<byte>(256);
        Write(value, writer);
        return writer.WrittenSpan.ToArray();
    }

    public static void Write(BValue value, IBufferWriter<byte> writer)
    {
        switch (value)
        {
            case BRaw raw:
                writer.Write(raw.Raw.Span);
                break;
            case BString s:
                WriteString(s.Span, writer);
                break;
            case BInteger i:
                writer.Write("i"u8);
                WriteNumber(i.Value, writer);
                writer.Write("e"u8);
                break;
            case BList list:
                writer.Write("l"u8);
                foreach (var item in list)
                    Write(item, writer);
                writer.Write("e"u8);
                break;
            case BDictionary dictionary:
                writer.Write("d"u8);
                foreach (var (key, item) in dictionary)
                {
                    WriteString(key.Span, writer);
                    Write(item, writer);
                }
                writer.Write("e"u8);
                break;
            default:
                throw new ArgumentException($"unknown value type {value.GetType().Name}", nameof(value));
        }
    }

    public static void WriteString(ReadOnlySpan<byte> bytes, IBufferWriter<byte> writer)
    {
        WriteNumber(bytes.Length, writer);
        writer.Write(":"u8);
        writer.Write(bytes);
    }

    public static void WriteNumber(long number, IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(20);
        Utf8Formatter.TryFormat(number, span, out var written);
        writer.Advance(written);
    }
}
