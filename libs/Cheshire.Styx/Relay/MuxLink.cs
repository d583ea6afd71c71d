using System.Buffers;
using System.IO.Pipelines;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Relay;

/// <summary>
/// One 9P2000.L session to a server, shared by many client connections (<see cref="MuxConnection"/>): frames are passed
/// on with only their tag and fids rewritten, link tags and link fids come from pools, and one reading loop hands each
/// reply to the connection whose request has its tag. When the session ends (the server closed it, it broke the
/// protocol, or <see cref="DisposeAsync"/>), every connection that attached through it is closed.
/// <code>
/// var link = await MuxLink.OpenAsync(stream, StyxConstants.DefaultMessageSize, ct);   // Tversion 9P2000.L
/// await new MuxConnection(transport, (request, ct) => ValueTask.FromResult(new MuxAttachTarget(link, "/export", "me", 0))).RunAsync(ct);
/// </code>
/// </summary>
public sealed partial class MuxLink : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly Lock _gate = new();
    private readonly HashSet<MuxConnection> _connections = [];
    private readonly CancellationTokenSource _ended = new();
    private readonly Dictionary<ushort, TagHold> _holds = [];
    private MuxPending[] _pending = new MuxPending[64];
    private ulong _serial;
    private Task _reading = Task.CompletedTask;
    private FrameReader? _frames;

    private MuxLink(Stream stream)
    {
        _stream = stream;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    /// <summary>The msize the server granted.</summary>
    public uint MaxMessageSize { get; private set; }

    /// <summary>Cancelled when the session has ended.</summary>
    public CancellationToken Ended => _ended.Token;

    public bool IsAlive => !_ended.IsCancellationRequested;

    /// <summary>Why the session ended, once it has.</summary>
    public string? EndReason { get; private set; }

    /// <summary>Link tags of requests in flight (this relay's and the server's view agree on them).</summary>
    public MuxPool Tags { get; } = MuxPool.Tags();

    /// <summary>Link fids in use: attached or walked by a connection, or being clunked.</summary>
    public MuxPool Fids { get; } = MuxPool.Fids();

    /// <summary>Connections attached through this session now.</summary>
    public int Connections
    {
        get
        {
            lock (_gate) return _connections.Count;
        }
    }

    /// <summary>
    /// Starts a session on <paramref name="stream"/> (which it then owns): Tversion 9P2000.L offering
    /// <paramref name="maxMessageSize"/>, and the server must answer 9P2000.L.
    /// </summary>
    /// <exception cref="IOException">The server did not answer, or answered something else.</exception>
    public static async Task<MuxLink> OpenAsync(Stream stream, uint maxMessageSize, CancellationToken cancellationToken)
    {
        var link = new MuxLink(stream);
        try
        {
            await link.NegotiateAsync(maxMessageSize, cancellationToken);
        }
        catch (Exception e)
        {
            await link.DisposeAsync();
            throw e is IOException ? e : new IOException($"9P session not opened: {e.Message}", e);
        }
        link._reading = Task.Run(link.ReadLoopAsync, CancellationToken.None);
        return link;
    }

    private async Task NegotiateAsync(uint maxMessageSize, CancellationToken ct)
    {
        StyxMessageWriter.Write(_output, new Tversion(StyxConstants.NoTag, maxMessageSize, DialectNames.Linux), Dialect.Linux);
        await _output.FlushAsync(ct);
        var frames = _frames = new FrameReader(_input, maxMessageSize);
        if (await frames.ReadHeaderAsync(ct) is not { } header)
            throw new IOException("the server closed the connection instead of answering Tversion");
        var frame = await frames.ReadAsync(header.Size, ct);
        var consumed = frame.Start;
        var examined = frame.End;
        if (!new StyxMessageReader(Dialect.Styx2000, maxMessageSize).TryParseMessage(frame, ref consumed, ref examined, out var reply))
            throw new IOException("the answer to Tversion is incomplete");
        switch (reply)
        {
            case Rversion { Version: DialectNames.Linux } version when version.MaxSize >= StyxConstants.MinMessageSize && version.MaxSize <= maxMessageSize:
                MaxMessageSize = frames.MaxSize = version.MaxSize;
                return;
            case Rversion version:
                throw new IOException($"the server answered Tversion {DialectNames.Linux} msize {maxMessageSize} with {version.Version} msize {version.MaxSize}");
            case Rerror error:
                throw new IOException($"the server refused Tversion: {error.Ename}");
            default:
                throw new IOException($"the server answered Tversion with {reply.Type}");
        }
    }

    /// <summary>Ties <paramref name="connection"/> to this session (it is closed when the session ends); false if it already has.</summary>
    internal bool Attach(MuxConnection connection)
    {
        lock (_gate)
        {
            if (!IsAlive) return false;
            _connections.Add(connection);
            return true;
        }
    }

    internal void Detach(MuxConnection connection)
    {
        lock (_gate) _connections.Remove(connection);
    }

    /// <summary>Records a request about to be sent with <paramref name="tag"/>; returns its serial.</summary>
    internal ulong Register(ushort tag, MuxPending pending)
    {
        lock (_gate)
        {
            if (tag >= _pending.Length) Array.Resize(ref _pending, Math.Max(tag + 1, _pending.Length * 2));
            pending.InUse = true;
            pending.Serial = ++_serial;
            _pending[tag] = pending;
            return pending.Serial;
        }
    }

    private bool TryTake(ushort tag, ulong serial, out MuxPending pending)
    {
        lock (_gate)
        {
            pending = tag < _pending.Length ? _pending[tag] : default;
            if (!pending.InUse || (serial != 0 && pending.Serial != serial)) return false;
            _pending[tag] = default;
            return true;
        }
    }

    /// <summary>
    /// A Tflush naming <paramref name="tag"/> is about to be sent: the tag is not used again, even once its request is
    /// over, until that flush is answered (the server would otherwise flush whatever request had the tag next).
    /// </summary>
    internal void Hold(ushort tag)
    {
        lock (_gate) _holds[tag] = _holds.TryGetValue(tag, out var hold) ? hold with { Count = hold.Count + 1 } : new TagHold(1, Released: false);
    }

    /// <summary>The request sent with <paramref name="tag"/> is over, here and at its connection: the tag is free (once no flush holds it).</summary>
    private void Release(ushort tag)
    {
        lock (_gate)
        {
            if (_holds.TryGetValue(tag, out var hold))
            {
                _holds[tag] = hold with { Released = true };
                return;
            }
        }
        Tags.Return(tag);
    }

    private void Unhold(ushort tag)
    {
        lock (_gate)
        {
            if (!_holds.TryGetValue(tag, out var hold)) return;
            if (hold.Count > 1)
            {
                _holds[tag] = hold with { Count = hold.Count - 1 };
                return;
            }
            _holds.Remove(tag);
            if (!hold.Released) return;
        }
        Tags.Return(tag);
    }

    private readonly record struct TagHold(int Count, bool Released);

    /// <summary>Waits for the right to write frames (one writer at a time); <see cref="ReleaseWriterAsync"/> flushes them.</summary>
    internal async ValueTask<PipeWriter> AcquireWriterAsync(CancellationToken ct)
    {
        await _writing.WaitAsync(ct);
        return _output;
    }

    internal async ValueTask ReleaseWriterAsync()
    {
        try
        {
            if (IsAlive) await _output.FlushAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            End($"writing to the server failed: {e.Message}");
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Clunks link fids no connection holds any more (fire and forget): each is free again when answered.</summary>
    internal void Clunk(IReadOnlyList<uint> linkFids)
    {
        if (linkFids.Count > 0 && IsAlive) _ = ClunkAsync(linkFids);
    }

    private async Task ClunkAsync(IReadOnlyList<uint> linkFids)
    {
        PipeWriter output;
        try
        {
            output = await AcquireWriterAsync(Ended);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            foreach (var fid in linkFids)
            {
                if (!IsAlive || !Tags.TryRent(out var tag)) break;
                Register((ushort)tag, new MuxPending { Kind = MuxPendingKind.FreesFid, LinkFid = fid });
                StyxMessageWriter.Write(output, new Tclunk((ushort)tag, fid), Dialect.Linux);
            }
        }
        finally
        {
            await ReleaseWriterAsync();
        }
    }

    /// <summary>Ends the session: every connection attached through it is closed.</summary>
    private void End(string reason)
    {
        MuxConnection[] connections;
        lock (_gate)
        {
            if (!IsAlive) return;
            EndReason = reason;
            _ended.Cancel();
            connections = [.. _connections];
            _connections.Clear();
        }
        foreach (var connection in connections) connection.Abort(this);
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        End("closed");
        await _reading;
        await _input.CompleteAsync();
        await _writing.WaitAsync();
        try
        {
            await _output.CompleteAsync();
        }
        finally
        {
            _writing.Release();
        }
        await _stream.DisposeAsync();
    }
}
