namespace Cheshire.Styx.Protocol;

/// <summary>
/// A frame broke the wire protocol. <see cref="Tag"/> is set when the header was readable.
/// When <see cref="FrameSkipped"/> is true the whole frame was consumed and the connection may
/// continue by answering an error for <see cref="Tag"/>; otherwise the connection must close.
/// </summary>
public sealed class StyxProtocolException : Exception
{
    public StyxProtocolException(string message, ushort? tag = null, MessageType? type = null, bool frameSkipped = false)
        : base(message)
    {
        Tag = tag;
        Type = type;
        FrameSkipped = frameSkipped;
    }

    public ushort? Tag { get; }
    public MessageType? Type { get; }
    public bool FrameSkipped { get; }

    internal StyxProtocolException WithFrame(ushort tag, MessageType? type, bool skipped) =>
        new(Message, tag, type, skipped);
}
