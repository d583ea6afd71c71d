using System.IO.Pipelines;

namespace Cheshire.Styx.Server;

/// <summary>Adapts a bidirectional <see cref="Stream"/> (NetworkStream, SslStream) to <see cref="IDuplexPipe"/>.</summary>
public sealed class StreamDuplexPipe(Stream stream, bool leaveOpen = false) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: leaveOpen));
    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: leaveOpen));
}
