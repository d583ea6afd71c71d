namespace Cheshire.StyxProvider.Config;

/// <summary>The kinds of server an exports file may name in "server".</summary>
public static class ServerKinds
{
    public const string Export = "export";
    public const string Proxy = "proxy";
    public const string Script = "js";

    public static readonly IReadOnlyList<string> All = [Export, Proxy, Script];
}

/// <summary>
/// One server of the exports file: the namespace path it is mounted at and how to make it.
/// Paths in <see cref="Root"/> and <see cref="Script"/> are as written; <see cref="ServerDefinitions"/> resolves them.
/// </summary>
public sealed record ServerDefinition
{
    /// <summary>Where the tree appears in the namespace, e.g. "/home/music"; also the attach name on the provider's listener.</summary>
    public required string Path { get; init; }

    /// <summary>One of <see cref="ServerKinds"/>.</summary>
    public required string Server { get; init; }

    /// <summary>The owner's user id (40 lowercase hex digits): always the node's user, whether written or left out.</summary>
    public required string Uid { get; init; }

    /// <summary>Whether the entry names its uid; a uid left out stays out when the file is written back.</summary>
    public bool UidWritten { get; init; }

    /// <summary>export: the directory served ("~" is the user's home; relative to the exports file's folder).</summary>
    public string? Root { get; init; }

    /// <summary>export: refuse every change.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>proxy: "host:port" or "unix:/path/to/socket".</summary>
    public string? Address { get; init; }

    /// <summary>proxy: the attach name given to the proxied server.</summary>
    public string? Aname { get; init; }

    /// <summary>proxy: the user name to attach as (default "root", as diod expects).</summary>
    public string? Uname { get; init; }

    /// <summary>js: the script file.</summary>
    public string? Script { get; init; }

    /// <summary>Who else may attach over the network: user ids, or "*" (used by the global namespace).</summary>
    public IReadOnlyList<string> Allow { get; init; } = [];

    /// <summary>The line of the entry in its file (0 when it came from the API).</summary>
    public int Line { get; init; }

    /// <summary>Same server, whatever line it sits on and whether its uid is written out.</summary>
    public bool SameAs(ServerDefinition other) =>
        this with { Line = 0, Allow = [], UidWritten = false } == other with { Line = 0, Allow = [], UidWritten = false } &&
        Allow.SequenceEqual(other.Allow);
}
