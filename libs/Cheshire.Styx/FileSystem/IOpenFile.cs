using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem;

/// <summary>An open non-directory file. Disposed when its fid is clunked.</summary>
public interface IOpenFile : IAsyncDisposable
{
    /// <summary>Reads up to buffer.Length bytes at offset; 0 means end of file.</summary>
    ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Writes data at offset (or at the end when opened for append); returns the bytes written.</summary>
    ValueTask<int> WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        throw new StyxErrorException(Errno.EBADF);

    /// <summary>Makes written data durable (fsync).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Byte-range lock request (Tlock); the default grants every lock.</summary>
    ValueTask<LockStatus> LockAsync(LockRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult(LockStatus.Success);

    /// <summary>Tests for a conflicting lock (Tgetlock); null means none (the range is unlocked).</summary>
    ValueTask<LockRequest?> GetLockAsync(LockRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<LockRequest?>(null);
}

public enum LockStatus : byte { Success = 0, Blocked = 1, Error = 2, Grace = 3 }

/// <summary>A POSIX byte-range lock as carried by Tlock/Tgetlock (type 0 read, 1 write, 2 unlock).</summary>
public sealed record LockRequest(byte Type, uint Flags, ulong Start, ulong Length, uint ProcId, string ClientId);
