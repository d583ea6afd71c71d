using System.Runtime.InteropServices;
using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// An open local file: it owns its descriptor, so it keeps working after the file is renamed or unlinked.
/// I/O is pread/pwrite at 64-bit offsets (read/write for fifos and devices that cannot seek).
/// </summary>
internal sealed class LocalOpenFile : IOpenFile
{
    private readonly SafeFileHandle _handle;
    private readonly OpenOptions _options;
    private readonly LocalNode _node;

    public LocalOpenFile(LocalNode node, SafeFileHandle handle, OpenOptions options)
    {
        _node = node;
        _handle = handle;
        _options = options;
        node.Opened(this);
    }

    public SafeFileHandle Handle => _handle;
    public bool CanWrite => _options.CanWrite;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_options.CanRead) throw new StyxErrorException(Errno.EBADF);
        var span = buffer.Span;
        if (span.IsEmpty) return ValueTask.FromResult(0);
        ref byte start = ref MemoryMarshal.GetReference(span);
        nint read;
        do
        {
            read = LibC.pread(_handle, ref start, (nuint)span.Length, offset);
            if (read < 0 && Fd.LastErrno == Errno.ESPIPE) read = LibC.read(_handle, ref start, (nuint)span.Length);
        }
        while (read < 0 && Fd.LastErrno == Errno.EINTR);
        return read >= 0 ? ValueTask.FromResult((int)read) : throw Fd.LastError();
    }

    public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_options.CanWrite) throw new StyxErrorException(Errno.EBADF);
        var span = data.Span;
        int done = 0;
        while (done < span.Length)
        {
            // With O_APPEND Linux's pwrite appends whatever the offset says.
            ref byte start = ref MemoryMarshal.GetReference(span[done..]);
            nint written = LibC.pwrite(_handle, ref start, (nuint)(span.Length - done), offset + done);
            if (written < 0 && Fd.LastErrno == Errno.ESPIPE) written = LibC.write(_handle, ref start, (nuint)(span.Length - done));
            if (written < 0)
            {
                if (Fd.LastErrno == Errno.EINTR) continue;
                if (done > 0) break;
                throw Fd.LastError();
            }
            if (written == 0) break;
            done += (int)written;
        }
        return ValueTask.FromResult(done);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        Fd.Check(LibC.fsync(_handle));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _node.Closed(this);
        _handle.Dispose();
        return ValueTask.CompletedTask;
    }
}
