namespace Cheshire.Styx.Relay;

/// <summary>A Tattach a relay received from one of its connections.</summary>
/// <param name="MaxMessageSize">The connection's msize: the link must carry frames this large.</param>
public sealed record MuxAttachRequest(string Uname, string Aname, uint NUname, uint MaxMessageSize);

/// <summary>Where an attach goes: the link, and the Tattach fields sent on it.</summary>
public sealed record MuxAttachTarget(MuxLink Link, string Aname, string Uname, uint NUname);

/// <summary>
/// Decides where a connection's Tattach goes. A <see cref="Protocol.StyxErrorException"/> is answered with its errno;
/// any other exception with EIO.
/// </summary>
public delegate ValueTask<MuxAttachTarget> MuxAttacher(MuxAttachRequest request, CancellationToken cancellationToken);
