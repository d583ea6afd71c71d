namespace Cheshire.Link;

/// <summary>
/// The transport under a link's TLS when <see cref="LinkOptions.BufferSize"/> is set. TLS reads and writes one record
/// (at most 16 KiB) at a time, and on a socket each is a system call: a 512 KiB 9P read was ≈ 60 receive calls on the
/// reading side and ≈ 18 sends on the other (bench/RESULTS.md). Here reads take whatever the transport has, up to the
/// buffer, and serve the records from memory; once <see cref="Coalescing"/> is on (after the handshake), the records
/// written are gathered and sent together on <see cref="FlushAsync(CancellationToken)"/> or when the buffer is full.
/// One reader and one writer at a time, as for any stream. Owns the inner stream.
/// </summary>
public sealed class LinkTransport : TransportStream
{
    private readonly byte[] _in;
    private readonly byte[] _out;
    private int _inStart, _inEnd, _outLength;

    public LinkTransport(Stream inner, int bufferSize) : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, LinkOptions.MinBufferSize);
        _in = new byte[bufferSize];
        _out = new byte[bufferSize];
    }

    /// <summary>
    /// Writes wait in the buffer for a flush (or a full buffer). Off while the TLS handshake runs: the handshake does not
    /// flush its transport.
    /// </summary>
    public bool Coalescing { get; set; }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_inEnd > _inStart) return new(TakeBuffered(buffer.Span));
        // A zero-byte read waits for data without taking any; a read as large as the buffer gains nothing from it.
        if (buffer.IsEmpty || buffer.Length >= _in.Length) return Inner.ReadAsync(buffer, cancellationToken);
        return FillAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await Inner.ReadAsync(_in, cancellationToken);
        (_inStart, _inEnd) = (0, read);
        return TakeBuffered(buffer.Span);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_inEnd > _inStart) return TakeBuffered(buffer);
        if (buffer.IsEmpty || buffer.Length >= _in.Length) return Inner.Read(buffer);
        (_inStart, _inEnd) = (0, Inner.Read(_in));
        return TakeBuffered(buffer);
    }

    private int TakeBuffered(Span<byte> buffer)
    {
        var count = Math.Min(buffer.Length, _inEnd - _inStart);
        _in.AsSpan(_inStart, count).CopyTo(buffer);
        _inStart += count;
        return count;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!Coalescing) return Inner.WriteAsync(buffer, cancellationToken);
        if (_outLength + buffer.Length <= _out.Length)
        {
            buffer.Span.CopyTo(_out.AsSpan(_outLength));
            _outLength += buffer.Length;
            return ValueTask.CompletedTask;
        }
        return WriteThroughAsync(buffer, cancellationToken);
    }

    private async ValueTask WriteThroughAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await SendBufferedAsync(cancellationToken);
        if (buffer.Length >= _out.Length)
        {
            await Inner.WriteAsync(buffer, cancellationToken);
            return;
        }
        buffer.Span.CopyTo(_out);
        _outLength = buffer.Length;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!Coalescing)
        {
            Inner.Write(buffer);
            return;
        }
        if (_outLength + buffer.Length > _out.Length)
        {
            SendBuffered();
            if (buffer.Length >= _out.Length)
            {
                Inner.Write(buffer);
                return;
            }
        }
        buffer.CopyTo(_out.AsSpan(_outLength));
        _outLength += buffer.Length;
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendBufferedAsync(cancellationToken);
        await Inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        SendBuffered();
        Inner.Flush();
    }

    private async ValueTask SendBufferedAsync(CancellationToken cancellationToken)
    {
        if (_outLength == 0) return;
        var length = _outLength;
        _outLength = 0;
        await Inner.WriteAsync(_out.AsMemory(0, length), cancellationToken);
    }

    private void SendBuffered()
    {
        if (_outLength == 0) return;
        var length = _outLength;
        _outLength = 0;
        Inner.Write(_out, 0, length);
    }
}
