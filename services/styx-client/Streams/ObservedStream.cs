namespace Cheshire.StyxClient.Streams;

/// <summary>
/// A transport stream passed through as it is, telling a subclass how many bytes each read and write carried (for link
/// statistics and idle timeouts). Owns the inner stream.
/// </summary>
public abstract class ObservedStream(Stream inner) : Stream
{
    /// <summary>A read returned <paramref name="count"/> bytes (0 at the end of the stream).</summary>
    protected abstract void OnRead(int count);

    /// <summary>A write of <paramref name="count"/> bytes completed.</summary>
    protected abstract void OnWritten(int count);

    private int Observed(int count)
    {
        OnRead(count);
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Observed(inner.Read(buffer, offset, count));
    public override int Read(Span<byte> buffer) => Observed(inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Observed(await inner.ReadAsync(buffer, cancellationToken));

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        OnWritten(count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        OnWritten(buffer.Length);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        OnWritten(buffer.Length);
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
