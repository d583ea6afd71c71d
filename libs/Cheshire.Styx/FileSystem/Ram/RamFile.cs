using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>A regular file of a <see cref="RamFileSystem"/>: a growable byte array guarded by its own lock.</summary>
public sealed class RamFile : RamNode
{
    private byte[] _data = [];
    private long _length;

    internal RamFile(RamFileSystem fs, string name, uint mode, uint uid, uint gid, string user)
        : base(fs, name, mode, uid, gid, user)
    {
    }

    protected override QidType QidType => QidType.File;
    protected override ulong Size => (ulong)Interlocked.Read(ref _length);

    public override ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        if (options.Truncate && options.CanWrite) Truncate(0, options.User);
        return ValueTask.FromResult<IOpenFile>(new RamOpenFile(this, options));
    }

    public override ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        if (changes.Size is { } size) Truncate(size > long.MaxValue ? long.MaxValue : (long)size, changes.ChangedBy);
        return base.SetAttributesAsync(changes with { Size = null }, cancellationToken);
    }

    internal int Read(long offset, Span<byte> buffer)
    {
        lock (Sync)
        {
            AccessTime = DateTimeOffset.UtcNow;
            if (offset >= _length) return 0;
            int count = (int)Math.Min(buffer.Length, _length - offset);
            _data.AsSpan((int)offset, count).CopyTo(buffer);
            return count;
        }
    }

    internal int Write(long offset, ReadOnlySpan<byte> data, bool append, string? by)
    {
        lock (Sync)
        {
            if (append) offset = _length;
            long end = offset + data.Length;
            if (offset < 0 || end > Fs.MaxFileBytes) throw new StyxErrorException(Errno.EFBIG);
            if (end > _length) Resize(end);
            data.CopyTo(_data.AsSpan((int)offset));
            Touch(by);
            return data.Length;
        }
    }

    internal void Truncate(long length, string? by)
    {
        if (length < 0 || length > Fs.MaxFileBytes) throw new StyxErrorException(Errno.EFBIG);
        lock (Sync)
        {
            if (length == _length) return;
            Resize(length);
            Touch(by);
        }
    }

    /// <summary>Caller holds Sync. Grows by doubling; bytes between the old and new length read as zero.</summary>
    private void Resize(long length)
    {
        Fs.Account(length - _length);
        if (length > _data.Length)
        {
            long capacity = Math.Max(length, Math.Min(Fs.MaxFileBytes, Math.Max(4096, (long)_data.Length * 2)));
            Array.Resize(ref _data, (int)capacity);
        }
        else if (length < _length)
        {
            _data.AsSpan((int)length, (int)(_length - length)).Clear();
            if (length == 0) _data = [];
        }
        Interlocked.Exchange(ref _length, length);
    }

    private protected override void Released()
    {
        lock (Sync)
        {
            Fs.Account(-_length);
            _length = 0;
            _data = [];
        }
    }
}
