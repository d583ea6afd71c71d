using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>An open handle on a <see cref="RamFile"/>: keeps the file's data alive after its last name is gone.</summary>
internal sealed class RamOpenFile(RamFile file, RamUser user, OpenOptions options) : IOpenFile
{
    private static readonly TimeSpan RelatimeAge = TimeSpan.FromDays(1);
    private int _closed;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!options.CanRead) throw new StyxErrorException(Errno.EBADF);
        int read = file.Data.Read(offset, buffer.Span);
        lock (file.Fs.TreeLock)
        {
            // relatime: atime moves when it is older than the last change, or a day old.
            var now = file.Fs.Now();
            if (file.AccessTime <= file.ModifyTime || file.AccessTime <= file.ChangeTime || now - file.AccessTime > RelatimeAge)
                file.AccessTime = now;
        }
        return ValueTask.FromResult(read);
    }

    public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!options.CanWrite) throw new StyxErrorException(Errno.EBADF);
        if (data.IsEmpty) return ValueTask.FromResult(0);
        file.Data.Write(offset, data.Span, options.Append);
        lock (file.Fs.TreeLock)
        {
            file.Modified(file.Fs.Now(), user.Name);
            if (!user.IsRoot) file.DropPrivileges();
        }
        return ValueTask.FromResult(data.Length);
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1) return ValueTask.CompletedTask;
        lock (file.Fs.TreeLock) file.Closed();
        return ValueTask.CompletedTask;
    }
}

/// <summary>An open fifo, socket, device or just-created symlink: nothing to read, nothing to write.</summary>
internal sealed class RamEmptyOpenFile : IOpenFile
{
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken) => ValueTask.FromResult(0);

    public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EINVAL, "not a regular file");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
