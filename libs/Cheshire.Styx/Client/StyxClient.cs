using System.IO.Pipelines;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Server;

namespace Cheshire.Styx.Client;

/// <summary>
/// A multiplexing 9P client: many requests in flight on one connection, each with its own tag.
/// Cancelling a call sends Tflush and frees the tag when Rflush arrives.
/// <code>
/// await using var client = await StyxClient.ConnectAsync(stream, DialectNames.Linux);
/// var root = client.NewFid();
/// await client.AttachAsync(root, "glenda", "");
/// </code>
/// Typed calls throw <see cref="StyxErrorException"/> for Rerror/Rlerror; <see cref="RpcAsync"/> returns
/// any reply as is (for relays).
/// </summary>
public sealed partial class StyxClient : IAsyncDisposable
{
    private readonly IDuplexPipe _transport;
    private readonly StyxMessageReader _reader;
    private readonly Dictionary<ushort, PendingCall> _pending = [];
    private readonly Lock _pendingLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _readLoop;
    private ushort _nextTag;
    private int _nextFid;
    private Exception? _failure;

    public StyxClient(IDuplexPipe transport, uint maxMessageSize = StyxConstants.DefaultMessageSize)
    {
        _transport = transport;
        MaxMessageSize = maxMessageSize;
        _reader = new StyxMessageReader(Dialect.Styx2000, maxMessageSize);
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public StyxClient(Stream stream, uint maxMessageSize = StyxConstants.DefaultMessageSize)
        : this(new StreamDuplexPipe(stream), maxMessageSize)
    {
    }

    /// <summary>Connects and negotiates: Tversion with <paramref name="version"/> and <paramref name="maxMessageSize"/>.</summary>
    public static async Task<StyxClient> ConnectAsync(IDuplexPipe transport, string version = DialectNames.Linux,
        uint maxMessageSize = StyxConstants.DefaultMessageSize, CancellationToken cancellationToken = default)
    {
        var client = new StyxClient(transport, maxMessageSize);
        try
        {
            var agreed = await client.VersionAsync(maxMessageSize, version, cancellationToken);
            if (agreed.Version == DialectNames.Unknown) throw new StyxErrorException(Errno.EPROTO, $"server does not speak {version}");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public static Task<StyxClient> ConnectAsync(Stream stream, string version = DialectNames.Linux,
        uint maxMessageSize = StyxConstants.DefaultMessageSize, CancellationToken cancellationToken = default) =>
        ConnectAsync(new StreamDuplexPipe(stream), version, maxMessageSize, cancellationToken);

    public Dialect Dialect { get; private set; } = Dialect.Styx2000;
    public uint MaxMessageSize { get; private set; }

    /// <summary>The most data one Tread/Twrite carries under the negotiated msize.</summary>
    public int MaxIoSize => (int)(MaxMessageSize - StyxConstants.IoHeaderSize);

    /// <summary>False once the connection has failed or been closed; every later call throws <see cref="IOException"/>.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_pendingLock) return _failure is null;
        }
    }

    /// <summary>A fid number not used before by this client.</summary>
    public uint NewFid() => (uint)Interlocked.Increment(ref _nextFid);

    /// <summary>Sends <paramref name="request"/> with a fresh tag and returns whatever the server answers.</summary>
    public async Task<Message> RpcAsync(Message request, CancellationToken cancellationToken = default)
    {
        var (tag, call) = Register(request is Tversion);
        try
        {
            await SendAsync(request with { Tag = tag }, CancellationToken.None);
        }
        catch
        {
            Unregister(tag);
            throw;
        }
        if (!cancellationToken.CanBeCanceled) return await call.Reply.Task;

        using (cancellationToken.UnsafeRegister(_ => Cancel(tag, call), null))
        {
            try
            {
                return await call.Reply.Task;
            }
            catch (OperationCanceledException) when (call.Flushing)
            {
                await FlushAsync(tag, call);
                throw new OperationCanceledException(cancellationToken);
            }
        }
    }

    /// <summary>Marks a call as being flushed (if its reply has not arrived) and wakes its caller.</summary>
    private void Cancel(ushort tag, PendingCall call)
    {
        lock (_pendingLock)
        {
            if (tag == StyxConstants.NoTag || !_pending.TryGetValue(tag, out var current) || current != call) return;
            call.Flushing = true;
        }
        call.Reply.TrySetCanceled();
    }

    private async Task FlushAsync(ushort oldTag, PendingCall call)
    {
        try
        {
            await RpcAsync(new Tflush(0, oldTag), CancellationToken.None);
        }
        finally
        {
            lock (_pendingLock)
            {
                if (_pending.TryGetValue(oldTag, out var current) && current == call) _pending.Remove(oldTag);
            }
        }
    }

    private (ushort Tag, PendingCall Call) Register(bool version)
    {
        var call = new PendingCall();
        lock (_pendingLock)
        {
            if (_failure is not null) throw new IOException("the 9P connection is closed", _failure);
            if (version)
            {
                if (!_pending.TryAdd(StyxConstants.NoTag, call)) throw new InvalidOperationException("a Tversion is already outstanding");
                return (StyxConstants.NoTag, call);
            }
            if (_pending.Count >= StyxConstants.NoTag - 1) throw new InvalidOperationException("no free tags");
            while (true)
            {
                ushort tag = _nextTag;
                _nextTag = (ushort)((tag + 1) % StyxConstants.NoTag);
                if (_pending.TryAdd(tag, call)) return (tag, call);
            }
        }
    }

    private void Unregister(ushort tag)
    {
        lock (_pendingLock) _pending.Remove(tag);
    }

    private async Task SendAsync(Message message, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            if (_failure is not null) throw new IOException("the 9P connection is closed", _failure);
            StyxMessageWriter.Write(_transport.Output, message, Dialect, MaxMessageSize);
            var result = await _transport.Output.FlushAsync(ct);
            if (result.IsCompleted) throw new IOException("the 9P server closed the connection");
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var input = _transport.Input;
        Exception failure = new IOException("the 9P server closed the connection");
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(_closing.Token);
                var buffer = result.Buffer;
                var consumed = buffer.Start;
                try
                {
                    while (true)
                    {
                        var remaining = buffer.Slice(consumed);
                        var end = remaining.Start;
                        var seen = remaining.End;
                        if (!_reader.TryParseMessage(remaining, ref end, ref seen, out var reply)) break;
                        consumed = end;
                        Deliver(reply);
                    }
                    if (result.IsCompleted || result.IsCanceled) break;
                }
                finally
                {
                    input.AdvanceTo(consumed, buffer.End);
                }
            }
        }
        catch (Exception e)
        {
            failure = e is OperationCanceledException ? new ObjectDisposedException(nameof(StyxClient)) : e;
        }
        Fail(failure);
    }

    private void Deliver(Message reply)
    {
        PendingCall? call;
        lock (_pendingLock)
        {
            if (!_pending.TryGetValue(reply.Tag, out call))
            {
                reply.Release();
                return;
            }
            if (!call.Flushing) _pending.Remove(reply.Tag);
        }
        if (reply is Rversion version) ApplyVersion(version);
        if (call.Flushing || !call.Reply.TrySetResult(reply)) reply.Release();
    }

    private void ApplyVersion(Rversion version)
    {
        var dialect = DialectNames.Negotiate(version.Version);
        if (dialect is null || version.Version == DialectNames.Unknown) return;
        Dialect = dialect.Value;
        MaxMessageSize = Math.Min(MaxMessageSize, version.MaxSize);
        _reader.Dialect = Dialect;
        _reader.MaxMessageSize = MaxMessageSize;
    }

    private void Fail(Exception failure)
    {
        List<PendingCall> calls;
        lock (_pendingLock)
        {
            _failure ??= failure;
            calls = [.. _pending.Values];
            _pending.Clear();
        }
        foreach (var call in calls) call.Reply.TrySetException(new IOException("the 9P connection is closed", failure));
    }

    public async ValueTask DisposeAsync()
    {
        _closing.Cancel();
        await _readLoop;
        await _writeLock.WaitAsync();
        try
        {
            await _transport.Output.CompleteAsync();
            await _transport.Input.CompleteAsync();
        }
        finally
        {
            _writeLock.Release();
        }
        _closing.Dispose();
    }
}
