using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>How <see cref="RemoteFileSystem"/> talks to its server.</summary>
public sealed record RemoteOptions
{
    /// <summary>Dialect asked for in Tversion; the server may answer with an older one (9P2000.u, 9P2000).</summary>
    public string Version { get; init; } = DialectNames.Linux;

    /// <summary>msize asked for; the server may lower it.</summary>
    public uint MaxMessageSize { get; init; } = StyxConstants.DefaultMessageSize;

    /// <summary>Numeric user id sent in Tattach (9P2000.u/.L); diod wants 0 (root) to serve every uid.</summary>
    public uint NUname { get; init; }

    /// <summary>
    /// One connection for several remote trees: the connection attaches nothing itself, and each attach of this tree
    /// sends Tattach with the request's aname (once per aname while the connection lives; a refused one is asked
    /// again next time). The tree's own Aname is then unused.
    /// </summary>
    public bool ForwardAname { get; init; }

    /// <summary>Limit for dialing, Tversion and Tattach of one (re)connection.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
