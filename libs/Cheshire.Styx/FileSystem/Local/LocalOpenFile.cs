using System.Runtime.InteropServices;
using Cheshire.Styx.Protocol;
using Microsoft.Win32.SafeHandles;

namespace Cheshire.Styx.FileSystem.Local;

/// <summary>
/// An open local file: it owns its descriptor, so it keeps working after the file is renamed or unlinked.
/// I/O is pread/pwrite at 64-bit offsets (read/write for fifos and devices that cannot seek). A read is first tried
/// with RWF_NOWAIT on the caller's thread (served from the page cache, or EAGAIN); whatever would wait (a read the
/// cache cannot serve, every write, fsync, and the close of a file not opened from the caches) runs on the thread pool.
/// </summary>
internal sealed class LocalOpenFile : IOpenFile
{
    private readonly SafeFileHandle _handle;
    private readonly OpenOptions _options;
    private readonly LocalNode _node;
    private readonly bool _closeInline;
    private bool _tryNowait = true;
    private bool _seekable = true;

    /// <param name="closeInline">Opened read-only from the caches on a local file system: closing it cannot wait.</param>
    public LocalOpenFile(LocalNode node, SafeFileHandle handle, OpenOptions options, bool closeInline = false)
    {
        _node = node;
        _handle = handle;
        _options = options;
        _closeInline = closeInline;
        node.Opened(this);
    }

    public SafeFileHandle Handle => _handle;
    public bool CanWrite => _options.CanWrite;

    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (!_options.CanRead) throw new StyxErrorException(Errno.EBADF);
        if (buffer.IsEmpty) return ValueTask.FromResult(0);
        if (_tryNowait && MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
        {
            nint read = ReadNowait(offset, buffer, segment);
            if (read >= 0)
            {
                // Short of the request: the end of the file, a pipe's contents so far, or only part of it cached.
                if (read == buffer.Length || read == 0 || !_seekable || AtEnd(offset + read)) return ValueTask.FromResult((int)read);
                int done = (int)read;
                return Blocking.Run(() => done + Read(offset + done, buffer.Span[done..]), cancellationToken);
            }
            // EAGAIN: not cached (or a pipe without data); EOPNOTSUPP/EINVAL/ENOSYS: the file (system) cannot say.
            if (Fd.LastErrno is Errno.EOPNOTSUPP or Errno.EINVAL or Errno.ENOSYS) _tryNowait = false;
        }
        return Blocking.Run(() => Read(offset, buffer.Span), cancellationToken);
    }

    /// <summary>preadv2(RWF_NOWAIT): -1 with errno set when the kernel would have to wait.</summary>
    private nint ReadNowait(long offset, Memory<byte> buffer, ArraySegment<byte> segment)
    {
        using var pin = buffer.Pin();
        var vector = new LibC.Iovec { Base = Marshal.UnsafeAddrOfPinnedArrayElement(segment.Array!, segment.Offset), Length = (nuint)buffer.Length };
        nint read = LibC.preadv2(_handle, ref vector, 1, _seekable ? offset : -1, LibC.RWF_NOWAIT);
        if (read < 0 && Fd.LastErrno == Errno.ESPIPE)
        {
            _seekable = false;
            read = LibC.preadv2(_handle, ref vector, 1, -1, LibC.RWF_NOWAIT);
        }
        return read;
    }

    /// <summary>Whether <paramref name="offset"/> is at or past the end of the file, by its cached size.</summary>
    private bool AtEnd(long offset) =>
        LibC.statx(_handle, "", LibC.AT_EMPTY_PATH | LibC.AT_STATX_DONT_SYNC, LibC.STATX_BASIC_STATS, out var stat) == 0 &&
        (ulong)offset >= stat.Size;

    private int Read(long offset, Span<byte> span)
    {
        ref byte start = ref MemoryMarshal.GetReference(span);
        nint read;
        do
        {
            read = LibC.pread(_handle, ref start, (nuint)span.Length, offset);
            if (read < 0 && Fd.LastErrno == Errno.ESPIPE) read = LibC.read(_handle, ref start, (nuint)span.Length);
        }
        while (read < 0 && Fd.LastErrno == Errno.EINTR);
        return read >= 0 ? (int)read : throw Fd.LastError();
    }

    public ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (!_options.CanWrite) throw new StyxErrorException(Errno.EBADF);
        return Blocking.Run(() => Write(offset, data.Span), cancellationToken);
    }

    private int Write(long offset, ReadOnlySpan<byte> span)
    {
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
        return done;
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) =>
        Blocking.Run(() => Fd.Check(LibC.fsync(_handle)), cancellationToken);

    public ValueTask DisposeAsync()
    {
        _node.Closed(this);
        // The last close of a file on FUSE waits for its server's flush; one written to may start writeback.
        if (_closeInline)
        {
            _handle.Dispose();
            return ValueTask.CompletedTask;
        }
        return Blocking.Run(_handle.Dispose, CancellationToken.None);
    }
}
