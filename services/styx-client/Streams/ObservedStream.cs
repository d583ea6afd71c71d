using Cheshire.Link;

namespace Cheshire.StyxClient.Streams;

/// <summary>
/// A transport stream passed through as it is, telling a subclass how many bytes each read and write carried (for link
/// statistics and idle timeouts). Owns the inner stream.
/// </summary>
public abstract class ObservedStream(Stream inner) : TransportStream(inner)
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

    public override int Read(Span<byte> buffer) => Observed(Inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Observed(await Inner.ReadAsync(buffer, cancellationToken));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Inner.Write(buffer);
        OnWritten(buffer.Length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await Inner.WriteAsync(buffer, cancellationToken);
        OnWritten(buffer.Length);
    }
}
