using Cheshire.StyxClient.Streams;

namespace Cheshire.StyxClient.Imports;

/// <summary>A transport stream that counts the bytes it carries: the link's TLS records, both ways.</summary>
internal sealed class CountingStream(Stream inner, LinkCounters counters) : ObservedStream(inner)
{
    protected override void OnRead(int count) => counters.In(count);

    protected override void OnWritten(int count) => counters.Out(count);
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
