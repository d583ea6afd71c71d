using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>What a relay must translate in one checked 9P2000.L request: where its fids are, and what it does to them.</summary>
public readonly record struct FidFields
{
    public const int None = -1;

    public MessageType Type { get; init; }

    /// <summary>Offset (from the frame start) of the fid the request acts on; <see cref="None"/> for Tflush.</summary>
    public int Fid { get; init; }

    /// <summary>Offset of a second existing fid (Trename's dfid, Tlink's fid, Trenameat's newdirfid), or <see cref="None"/>.</summary>
    public int OtherFid { get; init; }

    /// <summary>Offset of the fid the request creates on success (Twalk, Txattrwalk newfid), or <see cref="None"/>.</summary>
    public int NewFid { get; init; }

    /// <summary>Tclunk and Tremove: the fid is gone whatever the answer.</summary>
    public bool FreesFid { get; init; }

    /// <summary>Twalk: names asked for (the walk made its newfid only if all were walked).</summary>
    public int WalkNames { get; init; }

    /// <summary>Tflush: the tag it flushes.</summary>
    public ushort OldTag { get; init; }
}
