using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>Limits of one served connection.</summary>
public sealed record StyxServerOptions
{
    /// <summary>The largest msize the server agrees to (the client may ask for less).</summary>
    public uint MaxMessageSize { get; init; } = StyxConstants.DefaultMessageSize;

    /// <summary>How many requests of one connection run at the same time; further requests wait (backpressure).</summary>
    public int MaxConcurrentRequests { get; init; } = 32;
}
