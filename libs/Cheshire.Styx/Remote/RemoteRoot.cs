using Cheshire.Styx.Protocol;

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

    /// <summary>
    /// The live session of this root: the current one, or a fresh dial and attach. A first attach fails at once (EIO if
    /// the server cannot be reached); a reconnection retries EIO with backoff for up to <see cref="ReconnectPatience"/>
    /// (a relay that has not yet noticed its link ended, a server a moment from listening again), then answers EIO, so
    /// that a server that stays down costs each call about a second, not a hang. Other refusals (EACCES, ENOENT) are final.
    /// </summary>
    public static readonly TimeSpan ReconnectPatience = TimeSpan.FromSeconds(1);

    public async ValueTask<RemoteSession> SessionAsync(CancellationToken ct)
    {
        if (_current is { IsAlive: true } live) return live;
        if (_current is null) return _current = await AttachAsync(ct);
        var giveUp = DateTime.UtcNow + ReconnectPatience;
        var pause = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return _current = await AttachAsync(ct);
            }
            catch (StyxErrorException e) when (e.Errno == Errno.EIO && DateTime.UtcNow + pause < giveUp)
            {
                await Task.Delay(pause, ct);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond));
            }
        }
    }

    private async ValueTask<RemoteSession> AttachAsync(CancellationToken ct)
    {
        var connection = await tree.ConnectionAsync(ct);
        return aname is null ? connection : await connection.RootAsync(aname, tree.Uname, tree.Options.NUname, ct);
    }
}
