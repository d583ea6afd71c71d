using System.Globalization;
using System.Text;

namespace Cheshire.StyxProvider.Control.Mainline;

/// <summary>Just enough bencode for text items: a byte string is "length:bytes".</summary>
public static class Bencode
{
    public static byte[] String(ReadOnlySpan<byte> bytes)
    {
        var prefix = Encoding.ASCII.GetBytes(bytes.Length.ToString(CultureInfo.InvariantCulture) + ":");
        return [.. prefix, .. bytes];
    }

    /// <summary>The bytes of a bencoded byte string, or null when the value is something else.</summary>
    public static byte[]? StringOf(ReadOnlySpan<byte> value)
    {
        var colon = value.IndexOf((byte)':');
        if (colon <= 0 || !int.TryParse(value[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var length)) return null;
        return value.Length - colon - 1 == length ? value[(colon + 1)..].ToArray() : null;
    }
}
