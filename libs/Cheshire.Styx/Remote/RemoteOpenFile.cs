using Cheshire.Styx.Client;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Remote;

/// <summary>
/// An open remote file: its own fid, opened with Tlopen (or Topen), clunked on dispose. When the connection drops, the
/// next call dials again, walks the node's path and opens it with the same mode (never truncating), provided it is
/// still the file that was opened (same qid.path): else ESTALE saying why, rather than another file's bytes. A read,
/// write (at its explicit offset; not in append mode) or fsync the lost connection interrupted is run once more.
/// </summary>
internal sealed class RemoteOpenFile(RemoteNode node, OpenOptions reopen, RemoteSession session, uint fid, Qid opened) : IOpenFile
{
    private readonly SemaphoreSlim _reopening = new(1, 1);
    private volatile Handle _handle = new(session, fid);
    private int _closed;

    /// <summary>The fid this file is open on, and the session it belongs to.</summary>
    private sealed record Handle(RemoteSession Session, uint Fid);

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) => await RunAsync(async (c, fid) =>
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            var chunk = buffer[filled..];
            if (chunk.Length > c.MaxIoSize) chunk = chunk[..c.MaxIoSize];
            int read = await c.ReadAsync(fid, (ulong)(offset + filled), chunk, ct);
            filled += read;
            if (read < chunk.Length) break;
        }
        return filled;
    }, retry: true, ct);

    public async ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // At an explicit offset a write is idempotent; in append mode a repeat could add the data twice.
        await RunAsync(async (c, fid) =>
        {
            await c.WriteAllAsync(fid, (ulong)offset, data, cancellationToken);
            return true;
        }, retry: !reopen.Append, cancellationToken);
        return data.Length;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken) => await RunAsync(async (c, fid) =>
    {
        if (c.Dialect == Dialect.Linux) await c.FsyncAsync(fid, cancellationToken);
        return true;
    }, retry: true, cancellationToken);

    private async Task<T> RunAsync<T>(Func<StyxClient, uint, Task<T>> operation, bool retry, CancellationToken ct)
    {
        var handle = await HandleAsync(ct);
        try
        {
            return await handle.Session.RunAsync(c => operation(c, handle.Fid));
        }
        catch (StyxErrorException) when (retry && !handle.Session.IsAlive)
        {
            handle = await HandleAsync(ct);
            return await handle.Session.RunAsync(c => operation(c, handle.Fid));
        }
    }

    /// <summary>The fid on a live session: the one in use, or the file opened again after the connection was lost.</summary>
    private async ValueTask<Handle> HandleAsync(CancellationToken ct)
    {
        var handle = _handle;
        if (handle.Session.IsAlive) return handle;
        await _reopening.WaitAsync(ct);
        try
        {
            handle = _handle;
            if (handle.Session.IsAlive) return handle;
            if (Volatile.Read(ref _closed) != 0) throw new StyxErrorException(Errno.EBADF);
            var live = await SessionAsync(ct);
            var reopened = new Handle(live, await node.ReopenAsync(live, reopen, opened, ct));
            _handle = reopened;
            if (Volatile.Read(ref _closed) == 0) return reopened;
            // Closed while it was opened again (a second clunk of the fid, if DisposeAsync saw it too, only fails quietly).
            live.Release(reopened.Fid);
            throw new StyxErrorException(Errno.EBADF);
        }
        finally
        {
            _reopening.Release();
        }
    }

    /// <summary>The root's live session; an aname the server now refuses makes the file stale (a server that is down stays EIO).</summary>
    private async ValueTask<RemoteSession> SessionAsync(CancellationToken ct)
    {
        try
        {
            return await node.Root.SessionAsync(ct);
        }
        catch (StyxErrorException e) when (e.Errno != Errno.EIO)
        {
            throw new StyxErrorException(Errno.ESTALE,
                $"{node}: the remote 9P server no longer attaches '{node.Root.Aname}' after the connection was lost: {e.Message}");
        }
    }

    public ValueTask DisposeAsync()
    {
        var handle = _handle;
        if (Interlocked.Exchange(ref _closed, 1) == 0) handle.Session.Release(handle.Fid);
        return ValueTask.CompletedTask;
    }
}
