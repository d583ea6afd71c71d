using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>
/// Reads 9P frames from a <see cref="PipeReader"/> for relaying them without decoding: peek the header, then take the
/// frame's bytes either buffered (<see cref="ReadAsync"/>, for the small frames one looks into) or streamed to a
/// <see cref="PipeWriter"/> as they arrive (<see cref="CopyAsync"/>, for Twrite/Rread payloads of up to msize).
/// <code>
/// while (await frames.ReadHeaderAsync(ct) is { } header)
/// {
///     await frames.CopyAsync(output, frames.Remaining, ct);   // or ReadAsync(frames.Remaining, ct) and look inside
///     await output.FlushAsync(ct);                            // when no further frame is already buffered
/// }
/// </code>
/// Every violation — size below 7 or above <see cref="MaxSize"/>, the input ending inside a frame — is a
/// <see cref="StyxProtocolException"/> (the connection must close); nothing else is thrown for any input bytes.
/// Not thread-safe: one reading loop. The reader does not complete the pipe.
/// </summary>
public sealed class FrameReader(PipeReader input, uint maxSize)
{
    /// <summary>
    /// Destinations are flushed every this many bytes within one frame, so a copy holds bounded memory. Large enough that
    /// a 512 KiB Rread leaves in two or three sends (each flush is at least one system call, and on a TLS link a wake-up
    /// of the other side).
    /// </summary>
    public const int FlushThreshold = 256 * 1024;

    private ReadOnlySequence<byte> _buffer;
    private bool _held;
    private bool _completed;

    /// <summary>
    /// The largest frame accepted (the negotiated msize). May be set at any time, also from another thread while a read
    /// waits (e.g. when the Rversion passes the other way); it applies to the next header checked.
    /// </summary>
    public uint MaxSize { get; set; } = maxSize;

    /// <summary>The header of the frame being read.</summary>
    public FrameHeader Current { get; private set; }

    /// <summary>Bytes of <see cref="Current"/> not yet read or copied, header included (all of it right after <see cref="ReadHeaderAsync"/>).</summary>
    public long Remaining { get; private set; }

    /// <summary>True when the bytes already received hold the whole next frame: a relay can delay its flush.</summary>
    public bool HasBufferedFrame => Remaining == 0 && _held && _buffer.Length >= FrameHeader.Length && _buffer.Length >= PeekSize();

    /// <summary>
    /// Waits for the next frame's header and returns it without consuming anything, or null when the input ended
    /// cleanly between frames. The previous frame must have been read or copied to its end.
    /// </summary>
    public async ValueTask<FrameHeader?> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        if (Remaining > 0)
            throw new InvalidOperationException($"{Remaining} bytes of the {Current.Type} frame are still unread");
        while (true)
        {
            if (_held)
            {
                if (FrameHeader.TryRead(_buffer, MaxSize, out var header))
                {
                    Current = header;
                    Remaining = header.Size;
                    return header;
                }
                if (_completed)
                    return _buffer.IsEmpty
                        ? null
                        : throw new StyxProtocolException($"the connection ended within a frame header ({_buffer.Length} of {FrameHeader.Length} bytes)");
            }
            await ReadMoreAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> bytes of the current frame, buffered whole (the first call after
    /// <see cref="ReadHeaderAsync"/> starts with the header). Valid until the next call on this reader. A pipe's
    /// pause threshold must be above the count; copy large frames with <see cref="CopyAsync"/> instead.
    /// </summary>
    public async ValueTask<ReadOnlySequence<byte>> ReadAsync(long count, CancellationToken cancellationToken)
    {
        CheckCount(count);
        while (!_held || _buffer.Length < count)
        {
            if (_held && _completed) throw Truncated();
            await ReadMoreAsync(cancellationToken);
        }
        var data = _buffer.Slice(0, count);
        Consume(count);
        return data;
    }

    /// <summary>
    /// Writes the next <paramref name="count"/> bytes of the current frame to <paramref name="destination"/> as they
    /// arrive, flushing it every <see cref="FlushThreshold"/> bytes; the last bytes are left for the caller to flush.
    /// </summary>
    public async ValueTask CopyAsync(PipeWriter destination, long count, CancellationToken cancellationToken)
    {
        CheckCount(count);
        while (count > 0)
        {
            if (!_held || _buffer.IsEmpty)
            {
                if (_held && _completed) throw Truncated();
                await ReadMoreAsync(cancellationToken);
                continue;
            }
            var take = Math.Min(count, _buffer.Length);
            foreach (var segment in _buffer.Slice(0, take)) destination.Write(segment.Span);
            Consume(take);
            count -= take;
            if (count > 0 && destination.CanGetUnflushedBytes && destination.UnflushedBytes >= FlushThreshold)
                await destination.FlushAsync(cancellationToken);
        }
    }

    private void CheckCount(long count)
    {
        if (count < 0 || count > Remaining)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"the {Current.Type} frame has {Remaining} bytes left");
    }

    private uint PeekSize()
    {
        Span<byte> size = stackalloc byte[4];
        _buffer.Slice(0, 4).CopyTo(size);
        return BinaryPrimitives.ReadUInt32LittleEndian(size);
    }

    private void Consume(long count)
    {
        _buffer = _buffer.Slice(count);
        Remaining -= count;
    }

    private async ValueTask ReadMoreAsync(CancellationToken cancellationToken)
    {
        if (_held)
        {
            // Everything before _buffer is consumed; all of it was looked at and more is needed.
            input.AdvanceTo(_buffer.Start, _buffer.End);
            _held = false;
        }
        var result = await input.ReadAsync(cancellationToken);
        if (result.IsCanceled) throw new OperationCanceledException("the frame read was cancelled");
        _buffer = result.Buffer;
        _completed = result.IsCompleted;
        _held = true;
    }

    private StyxProtocolException Truncated() =>
        new($"the connection ended within a {Current.Type} frame ({Remaining} of its {Current.Size} bytes missing)", Current.Tag, Current.Type);
}
