using Cheshire.Styx.FileSystem;

namespace Cheshire.Styx.Remote;

/// <summary>An open remote file: its own fid, opened with Tlopen (or Topen), clunked on dispose.</summary>
internal sealed class RemoteOpenFile(RemoteSession session, uint fid) : IOpenFile
{
    private int _closed;

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct) => await session.RunAsync(async c =>
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
    });

    public async ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await session.RunAsync(c => c.WriteAllAsync(fid, (ulong)offset, data, cancellationToken));
        return data.Length;
    }

    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        if (session.Dialect == Protocol.Dialect.Linux) await session.RunAsync(c => c.FsyncAsync(fid, cancellationToken));
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0) session.Release(fid);
        return ValueTask.CompletedTask;
    }
}
