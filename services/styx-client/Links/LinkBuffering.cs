namespace Cheshire.StyxClient.Links;

/// <summary>
/// How styx-client's links use their sockets, both ways: the TLS records of a 512 KiB Rread or Twrite go out in a few
/// large sends and are taken in a few large receives, instead of one or more system calls per 16 KiB record. Every
/// writer on a link (the splice, the multiplexer) flushes after each batch of frames.
/// </summary>
public static class LinkBuffering
{
    /// <summary>Per link and direction; the relays flush at <see cref="Cheshire.Styx.Relay.FrameReader.FlushThreshold"/>, which fits.</summary>
    public const int BufferSize = 256 * 1024;

    public static readonly Cheshire.Link.LinkOptions Options = new() { BufferSize = BufferSize };
}
