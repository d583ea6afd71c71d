namespace Cheshire.Styx.Remote;

/// <summary>
/// One attached root of a <see cref="RemoteFileSystem"/> (its aname with <see cref="RemoteOptions.ForwardAname"/>),
/// across reconnections. Nodes and open files hold this, not a session: each call asks it for the live session, which
/// dials and attaches the same aname again when the last connection dropped, so they outlive the connection they were
/// made on.
/// </summary>
internal sealed class RemoteRoot(RemoteFileSystem tree, string? aname)
{
    private volatile RemoteSession? _current;

    /// <summary>Nodes clients may hold fids on; kept across reconnections, so a rename moves nodes of older sessions too.</summary>
    public RemoteNodes Nodes { get; } = new();

    /// <summary>The aname this root attaches (null: the tree's own, attached by the connection itself).</summary>
    public string? Aname => aname;

    /// <summary>The live session of this root: the current one, or a fresh dial and attach (EIO if the server cannot be reached).</summary>
    public async ValueTask<RemoteSession> SessionAsync(CancellationToken ct)
    {
        if (_current is { IsAlive: true } live) return live;
        var connection = await tree.ConnectionAsync(ct);
        var session = aname is null ? connection : await connection.RootAsync(aname, tree.Uname, tree.Options.NUname, ct);
        _current = session;
        return session;
    }
}
