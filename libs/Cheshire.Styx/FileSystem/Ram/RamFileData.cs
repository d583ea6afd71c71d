using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// The bytes of a file in 64 KiB chunks, allocated only where written: holes read as zeros and cost nothing, so a file
/// may be far larger than memory. Each chunk counts against the tree's capacity from the first to the last byte written in it.
/// Has its own lock; callers may hold the tree lock when calling in, never the other way round.
/// </summary>
internal sealed class RamFileData(RamFileSystem fs)
{
    private const int Shift = 16;
    private const int ChunkSize = 1 << Shift;
    private const int SmallestChunk = 64;
    private readonly Dictionary<long, Chunk> _chunks = [];
    private readonly Lock _lock = new();
    private long _length;
    private long _accounted;

    /// <summary>One chunk: bytes [<see cref="From"/>, <see cref="Used"/>) were written (offsets from the chunk's start); the rest reads as zeros.</summary>
    private sealed class Chunk
    {
        public byte[] Bytes = [];
        public int From = ChunkSize;
        public int Used;

        public int Size => Math.Max(0, Used - From);
    }

    public long Length => Interlocked.Read(ref _length);

    public int Read(long offset, Span<byte> buffer)
    {
        lock (_lock)
        {
            if (offset < 0) throw new StyxErrorException(Errno.EINVAL);
            if (offset >= _length) return 0;
            int count = (int)Math.Min(buffer.Length, _length - offset);
            var rest = buffer[..count];
            while (!rest.IsEmpty)
            {
                int within = (int)(offset & (ChunkSize - 1));
                var part = rest[..Math.Min(rest.Length, ChunkSize - within)];
                int copied = 0;
                if (_chunks.TryGetValue(offset >> Shift, out var chunk) && within < chunk.Used)
                {
                    copied = Math.Min(part.Length, chunk.Used - within);
                    chunk.Bytes.AsSpan(within, copied).CopyTo(part);
                }
                part[copied..].Clear();
                rest = rest[part.Length..];
                offset += part.Length;
            }
            return count;
        }
    }

    /// <summary>Writes at offset (at the end when appending); fails with EFBIG past the largest file, ENOSPC past capacity.</summary>
    public void Write(long offset, ReadOnlySpan<byte> data, bool append)
    {
        lock (_lock)
        {
            if (append) offset = _length;
            if (offset < 0 || offset > fs.MaxFileBytes - data.Length) throw new StyxErrorException(Errno.EFBIG);
            long end = offset + data.Length;
            long growth = 0;
            for (long at = offset; at < end; at = ((at >> Shift) + 1) << Shift)
            {
                long start = (at >> Shift) << Shift;
                int from = (int)(at - start), reach = (int)(Math.Min(end, start + ChunkSize) - start);
                growth += _chunks.TryGetValue(at >> Shift, out var chunk)
                    ? Math.Max(chunk.Used, reach) - Math.Min(chunk.From, from) - chunk.Size
                    : reach - from;
            }
            Account(growth);
            while (!data.IsEmpty)
            {
                int within = (int)(offset & (ChunkSize - 1));
                int count = Math.Min(data.Length, ChunkSize - within);
                var chunk = Grow(offset >> Shift, within, within + count);
                data[..count].CopyTo(chunk.Bytes.AsSpan(within));
                data = data[count..];
                offset += count;
            }
            Interlocked.Exchange(ref _length, Math.Max(_length, end));
        }
    }

    /// <summary>Truncates or extends (with a hole); false if the length was already that.</summary>
    public bool SetLength(long length)
    {
        lock (_lock)
        {
            if (length < 0 || length > fs.MaxFileBytes) throw new StyxErrorException(length < 0 ? Errno.EINVAL : Errno.EFBIG);
            if (length == _length) return false;
            if (length < _length)
            {
                long freed = 0;
                foreach (var (index, chunk) in _chunks.Where(c => (c.Key << Shift) + c.Value.Used > length).ToList())
                {
                    int keep = (int)Math.Max(0, length - (index << Shift));
                    if (keep <= chunk.From)
                    {
                        freed += chunk.Size;
                        _chunks.Remove(index);
                        continue;
                    }
                    freed += chunk.Used - keep;
                    chunk.Bytes.AsSpan(keep, chunk.Used - keep).Clear();
                    chunk.Used = keep;
                }
                Account(-freed);
            }
            Interlocked.Exchange(ref _length, length);
            return true;
        }
    }

    /// <summary>Frees everything (the file is gone).</summary>
    public void Release()
    {
        lock (_lock)
        {
            Account(-_accounted);
            _chunks.Clear();
            Interlocked.Exchange(ref _length, 0);
        }
    }

    private void Account(long delta)
    {
        fs.Account(delta);
        _accounted += delta;
    }

    /// <summary>The chunk, its array grown (by doubling, up to the chunk size) and its written range widened to [from, needed).</summary>
    private Chunk Grow(long index, int from, int needed)
    {
        if (!_chunks.TryGetValue(index, out var chunk)) _chunks[index] = chunk = new Chunk();
        if (chunk.Bytes.Length < needed)
        {
            int size = Math.Max(needed, Math.Max(SmallestChunk, chunk.Bytes.Length * 2));
            size = (int)Math.Min(ChunkSize, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)size));
            Array.Resize(ref chunk.Bytes, size);
        }
        chunk.From = Math.Min(chunk.From, from);
        chunk.Used = Math.Max(chunk.Used, needed);
        return chunk;
    }
}
