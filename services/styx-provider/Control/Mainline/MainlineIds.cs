using Cheshire.Styx.Protocol;
using Google.Protobuf;

namespace Cheshire.StyxProvider.Control.Mainline;

/// <summary>
/// Infohashes and BEP 44 targets are written as 40 hex digits (as in magnet links), public keys as 64; the API
/// takes the raw bytes.
/// </summary>
public static class MainlineIds
{
    public const int IdLength = 20, PublicKeyLength = 32;

    public static ByteString Infohash(string text, string what = "infohash") =>
        ControlText.ParseHex(text, IdLength) is { } bytes
            ? ByteString.CopyFrom(bytes)
            : throw new StyxErrorException(Errno.EINVAL, $"{MainlineCommands.Module}: '{text}' is not an {what}: give 40 hex digits");
}
