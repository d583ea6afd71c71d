using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>How a <see cref="MuxConnection"/> serves its client.</summary>
public sealed record MuxOptions
{
    /// <summary>The largest msize granted to the client (its Tversion gets the smaller of this and what it asked).</summary>
    public uint MaxMessageSize { get; init; } = StyxConstants.DefaultMessageSize;

    /// <summary>
    /// Told why an attach was refused (the aname and the error): 9P2000.L's Rlerror carries only the errno, so this is
    /// where the reason goes (a log).
    /// </summary>
    public Action<string, Exception>? AttachRefused { get; init; }
}
