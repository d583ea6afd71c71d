namespace Cheshire.Styx.Relay;

/// <summary>What a link tag's reply settles besides going back to the connection that asked.</summary>
internal enum MuxPendingKind : byte
{
    /// <summary>Nothing: the reply is only passed back.</summary>
    Plain,
    /// <summary>Twalk, Txattrwalk, Tattach: on success the link fid becomes the connection's fid; else it is free again.</summary>
    CreatesFid,
    /// <summary>Tclunk, Tremove: the link fid is free again whatever the answer.</summary>
    FreesFid,
    /// <summary>Tflush: when Rflush comes, the flushed tag is over even if it got no reply.</summary>
    Flush,
}

/// <summary>One request in flight on a link, by link tag.</summary>
internal struct MuxPending
{
    public bool InUse;
    public ulong Serial;
    public MuxPendingKind Kind;
    /// <summary>The connection the reply goes back to; null for the link's own requests (clunks of abandoned fids).</summary>
    public MuxConnection? Connection;
    /// <summary>The connection's tag.</summary>
    public ushort Tag;
    /// <summary>CreatesFid: the connection's new fid.</summary>
    public uint Fid;
    /// <summary>CreatesFid, FreesFid: the link fid made or freed.</summary>
    public uint LinkFid;
    /// <summary>CreatesFid by Twalk: names asked for (success is a reply with as many qids).</summary>
    public int WalkNames;
    /// <summary>Flush: the link tag flushed and its serial (the tag may have been answered and reused meanwhile).</summary>
    public ushort FlushedTag;
    public ulong FlushedSerial;
}
