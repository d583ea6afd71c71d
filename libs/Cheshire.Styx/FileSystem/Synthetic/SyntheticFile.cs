using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Synthetic;

/// <summary>A generated file: content is taken once per open, so reads at any offset see one consistent snapshot.</summary>
public sealed class SyntheticFile : SyntheticNode
{
    private readonly Func<byte[]> _content;
    private readonly Action<ReadOnlyMemory<byte>>? _write;

    internal SyntheticFile(string name, Func<byte[]> content, Action<ReadOnlyMemory<byte>>? write)
        : base(name, UnixMode.Regular | (write is null ? 0x124u /* 0444 */ : 0x1A4u /* 0644 */), QidType.File)
    {
        _content = content;
        _write = write;
    }

    // FUSE 9P clients (9pfuse, the FUSE-based v9fs alternatives) read no further than the size in stat.
    protected override ulong Size => (ulong)_content().Length;

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        if (options.CanWrite && _write is null) throw new StyxErrorException(Errno.EACCES);
        byte[] snapshot = options.CanRead ? _content() : [];
        return ValueTask.FromResult<IOpenFile>(new Handle(snapshot, _write));
    }

    private sealed class Handle(byte[] snapshot, Action<ReadOnlyMemory<byte>>? write) : IOpenFile
    {
        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            if (offset >= snapshot.Length) return ValueTask.FromResult(0);
            int count = (int)Math.Min(buffer.Length, snapshot.Length - offset);
            snapshot.AsSpan((int)offset, count).CopyTo(buffer.Span);
            return ValueTask.FromResult(count);
        }

        public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            if (write is null) throw new StyxErrorException(Errno.EBADF);
            try
            {
                write(data);
            }
            catch (StyxErrorException)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new StyxErrorException(Errno.EINVAL, e.Message);
            }
            return ValueTask.FromResult(data.Length);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
