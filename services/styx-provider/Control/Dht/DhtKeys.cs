using Cheshire.Protos.Dht;
using Google.Protobuf;

namespace Cheshire.StyxProvider.Control.Dht;

/// <summary>
/// Keys as written in file names and ctl commands: a name, whose SHA-1 (of its UTF-8 bytes) is the key, as the
/// API's key.name; or "0x" and 40 hex digits, the 20 raw bytes of the key (key.id) as put's reply shows them.
/// </summary>
public static class DhtKeys
{
    public const string IdPrefix = "0x";

    public static Key Parse(string text)
    {
        if (text.StartsWith(IdPrefix, StringComparison.Ordinal) && ControlText.ParseHex(text[IdPrefix.Length..], 20) is { } id)
            return new Key { Id = ByteString.CopyFrom(id) };
        return new Key { Name = text };
    }
}
