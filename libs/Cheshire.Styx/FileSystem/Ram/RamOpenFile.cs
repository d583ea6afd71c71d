using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>An open handle on a <see cref="RamFile"/>.</summary>
internal sealed class RamOpenFile(RamFile file, OpenOptions options) : IOpenFile
{
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!options.CanRead) throw new StyxErrorException(Errno.EBADF);
        return ValueTask.FromResult(file.Read(offset, buffer.Span));
    }

    public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!options.CanWrite) throw new StyxErrorException(Errno.EBADF);
        return ValueTask.FromResult(file.Write(offset, data.Span, options.Append, options.User));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
