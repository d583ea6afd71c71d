using System.Globalization;
using System.Text;

namespace Cheshire.StyxProvider.Control;

/// <summary>
/// The text conventions of the control files: one record per line, fields separated by one space, "-" for an empty
/// field. Bytes that are not printable UTF-8 are escaped: <c>\\</c>, <c>\n</c>, <c>\r</c>, <c>\t</c>, else <c>\xNN</c>;
/// inside a field (not the last one of a line) a space is <c>\x20</c> too.
/// </summary>
public static class ControlText
{
    public static string Escape(ReadOnlySpan<byte> bytes, bool field = false)
    {
        if (field && bytes.IsEmpty) return "-";
        var text = new StringBuilder(bytes.Length);
        var i = 0;
        while (i < bytes.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed);
            if (status != System.Buffers.OperationStatus.Done)
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{bytes[i]:x2}");
                i++;
                continue;
            }
            i += consumed;
            switch (rune.Value)
            {
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case ' ' when field: text.Append("\\x20"); break;
                case < 0x20 or 0x7F: text.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}"); break;
                default: text.Append(rune.ToString()); break;
            }
        }
        return text.ToString();
    }

    public static string Field(string? value) => string.IsNullOrEmpty(value) ? "-" : Escape(Encoding.UTF8.GetBytes(value), field: true);

    public static string Hex(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "-" : Convert.ToHexStringLower(bytes);

    /// <summary>"name value" lines.</summary>
    public static string Pairs(IEnumerable<(string Name, object Value)> pairs)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in pairs)
            text.Append(name).Append(' ').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    /// <summary>Bytes written as hexadecimal text (any case), or null.</summary>
    public static byte[]? ParseHex(string text, int length)
    {
        if (text.Length != length * 2) return null;
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
