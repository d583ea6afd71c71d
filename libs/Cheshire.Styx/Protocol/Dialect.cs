namespace Cheshire.Styx.Protocol;

/// <summary>The 9P protocol variant negotiated by Tversion.</summary>
public enum Dialect
{
    /// <summary>Plain 9P2000 (Plan 9).</summary>
    Styx2000,
    /// <summary>9P2000.u (Unix extensions: numeric ids, errno, extended stat).</summary>
    Unix,
    /// <summary>9P2000.L (Linux: getattr/setattr, lopen, readdir, Rlerror).</summary>
    Linux,
}

/// <summary>Version strings and the negotiation rule.</summary>
public static class DialectNames
{
    public const string Styx2000 = "9P2000";
    public const string Unix = "9P2000.u";
    public const string Linux = "9P2000.L";
    public const string Unknown = "unknown";

    public static string NameOf(Dialect dialect) => dialect switch
    {
        Dialect.Unix => Unix,
        Dialect.Linux => Linux,
        _ => Styx2000,
    };

    /// <summary>
    /// Answers the dialect a client asks for: exact names are honoured, anything else that starts
    /// with "9P2000" falls back to plain 9P2000, everything else is "unknown" (null).
    /// </summary>
    public static Dialect? Negotiate(string requested)
    {
        if (requested == Unix) return Dialect.Unix;
        if (requested == Linux) return Dialect.Linux;
        if (requested.StartsWith(Styx2000, StringComparison.Ordinal)) return Dialect.Styx2000;
        return null;
    }
}
