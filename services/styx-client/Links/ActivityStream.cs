namespace Cheshire.StyxClient.Links;

/// <summary>A stream that notes when bytes last went either way, for closing idle links. Owns the inner stream.</summary>
public sealed class ActivityStream(Stream inner, TimeProvider clock) : Stream
{
    private long _lastActivity = clock.GetTimestamp();

    /// <summary>How long since bytes were last read or written.</summary>
    public TimeSpan Idle => clock.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    private int Noted(int count)
    {
        if (count > 0) Interlocked.Exchange(ref _lastActivity, clock.GetTimestamp());
        return count;
    }

    private void Noted() => Interlocked.Exchange(ref _lastActivity, clock.GetTimestamp());

    public override int Read(byte[] buffer, int offset, int count) => Noted(inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Noted(inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Noted(await inner.ReadAsync(buffer, cancellationToken));

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Noted();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        Noted();
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        Noted();
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
