using Cheshire.StyxClient.Streams;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// A transport stream that counts the bytes it carries (the link's TLS records, both ways) and says when it ended: the
/// peer closed it, a read failed, or it was disposed.
/// </summary>
internal sealed class CountingStream(Stream inner, LinkCounters counters, Action ended) : ObservedStream(inner)
{
    protected override void OnRead(int count) => counters.In(count);

    protected override void OnWritten(int count) => counters.Out(count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await base.ReadAsync(buffer, cancellationToken);
        }
        catch
        {
            ended();
            throw;
        }
        // SslStream reads zero bytes to wait for data: only an empty answer to a real buffer is the end.
        if (read == 0 && buffer.Length > 0) ended();
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        ended();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync()
    {
        ended();
        return base.DisposeAsync();
    }
}

/// <summary>Bytes over one node's links, every connection since the import began.</summary>
public sealed class LinkCounters
{
    private long _in, _out;

    public long BytesIn => Interlocked.Read(ref _in);
    public long BytesOut => Interlocked.Read(ref _out);

    internal void In(int read) => Interlocked.Add(ref _in, read);

    internal void Out(int written) => Interlocked.Add(ref _out, written);
}
