using System.IO.Pipelines;
using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>
/// Serves one 9P connection over an <see cref="IDuplexPipe"/> (e.g. Kestrel's ConnectionContext.Transport).
/// Requests run concurrently up to <see cref="StyxServerOptions.MaxConcurrentRequests"/>; replies are
/// written by one writer loop straight into the PipeWriter and flushed in batches.
/// </summary>
public sealed class StyxServerConnection
{
    private readonly IDuplexPipe _transport;
    private readonly StyxSession _session;
    private readonly StyxMessageReader _reader;
    private readonly SemaphoreSlim _slots;
    private readonly Dictionary<ushort, InFlightRequest> _inFlight = [];
    private readonly Lock _inFlightLock = new();
    private readonly HashSet<Task> _flushes = [];
    private readonly ReplyWriter _replies;
    private readonly CancellationTokenSource _writerFailed = new();

    public StyxServerConnection(IDuplexPipe transport, IFileSystem fileSystem, StyxServerOptions? options = null)
    {
        options ??= new StyxServerOptions();
        _transport = transport;
        _session = new StyxSession(fileSystem, options);
        _reader = new StyxMessageReader(Dialect.Styx2000, options.MaxMessageSize);
        _slots = new SemaphoreSlim(options.MaxConcurrentRequests);
        _replies = new ReplyWriter(transport.Output, () => _writerFailed.Cancel());
    }

    public StyxSession Session => _session;

    /// <summary>Why the connection ended, if it was a protocol violation by the peer.</summary>
    public StyxProtocolException? ProtocolError { get; private set; }

    /// <summary>Runs until the peer disconnects, breaks the protocol, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _writerFailed.Token);
        try
        {
            await ReadLoopAsync(stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopped by the host or because the writer failed.
        }
        catch (StyxProtocolException e)
        {
            ProtocolError = e;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The transport went away.
        }
        finally
        {
            await AbortAllAsync();
            await _replies.DrainAsync();
            await _session.ResetAsync();
            await _transport.Input.CompleteAsync();
            await _transport.Output.CompleteAsync();
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(ct);
            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                while (true)
                {
                    var remaining = buffer.Slice(consumed);
                    var frameEnd = remaining.Start;
                    var seen = remaining.End;
                    Message message;
                    try
                    {
                        if (!_reader.TryParseMessage(remaining, ref frameEnd, ref seen, out message)) break;
                    }
                    catch (StyxProtocolException e) when (e.FrameSkipped && e.Tag is { } tag && tag != StyxConstants.NoTag)
                    {
                        consumed = frameEnd;
                        Reply(_session.ErrorReply(tag, Errno.EPROTO, e.Message));
                        continue;
                    }
                    consumed = frameEnd;
                    var dispatched = DispatchInBatch(message, ct);
                    if (dispatched.IsCompletedSuccessfully) continue;
                    if (!dispatched.IsCompleted) _replies.Send();
                    await dispatched;
                }
                _replies.Send();
                if (result.IsCompleted || result.IsCanceled) return;
            }
            finally
            {
                input.AdvanceTo(consumed, examined);
            }
        }
    }

    // Replies to requests answered while the read loop dispatches a batch of requests (this connection on this thread)
    // go out together with one flush when the batch has been read; a reply finished on another thread goes out at once.
    [ThreadStatic] private static StyxServerConnection? t_batching;

    private ValueTask DispatchInBatch(Message message, CancellationToken ct)
    {
        var outer = t_batching;
        t_batching = this;
        try
        {
            return DispatchAsync(message, ct);
        }
        finally
        {
            t_batching = outer;
        }
    }

    private void SendUnlessBatching()
    {
        if (t_batching != this) _replies.Send();
    }

    private async ValueTask DispatchAsync(Message message, CancellationToken ct)
    {
        switch (message)
        {
            case Tversion version:
                await AbortAllAsync();
                var reply = await _session.VersionAsync(version);
                _reader.Dialect = _session.Dialect;
                _reader.MaxMessageSize = _session.MaxMessageSize;
                Reply(reply);
                return;
            case Tflush flush:
                var flushing = FlushAsync(flush);
                lock (_inFlightLock) _flushes.Add(flushing);
                _ = flushing.ContinueWith(done =>
                {
                    lock (_inFlightLock) _flushes.Remove(done);
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return;
        }

        var request = new InFlightRequest(message);
        lock (_inFlightLock)
        {
            if (!_inFlight.TryAdd(message.Tag, request))
            {
                message.Release();
                throw new StyxProtocolException($"tag {message.Tag} is already in use", message.Tag, message.Type);
            }
        }
        if (!_slots.Wait(0)) await _slots.WaitAsync(ct);
        request.Completion = ProcessAsync(request);
    }

    private async Task ProcessAsync(InFlightRequest request)
    {
        var message = request.Request;
        Message reply;
        try
        {
            reply = await _session.HandleAsync(message, request.Cancellation.Token);
        }
        catch (StyxErrorException e)
        {
            reply = _session.ErrorReply(message.Tag, e.Errno, e.Message);
        }
        catch (OperationCanceledException)
        {
            reply = _session.ErrorReply(message.Tag, Errno.EINTR);
        }
        catch (Exception e)
        {
            reply = _session.ErrorReply(message.Tag, Errno.EIO, e.Message);
        }
        finally
        {
            message.Release();
            _slots.Release();
        }

        lock (_inFlightLock)
        {
            _inFlight.Remove(message.Tag);
            // Queued under the lock, so a Tflush that finds the request gone sends its Rflush after this reply.
            if (request.TryAnswer()) Enqueue(reply);
            else reply.Release();
        }
        SendUnlessBatching();
        request.Cancellation.Dispose();
    }

    private async Task FlushAsync(Tflush flush)
    {
        InFlightRequest? victim;
        lock (_inFlightLock)
        {
            if (!_inFlight.TryGetValue(flush.OldTag, out victim)) Enqueue(new Rflush(flush.Tag));
            else victim.TryFlush();
        }
        if (victim is null)
        {
            SendUnlessBatching();
            return;
        }
        await victim.Completion;
        Reply(new Rflush(flush.Tag));
    }

    /// <summary>Flushes every outstanding request and waits for them (Tversion, shutdown).</summary>
    private async Task AbortAllAsync()
    {
        List<Task> pending;
        lock (_inFlightLock)
        {
            pending = [.. _flushes];
            _flushes.Clear();
            foreach (var request in _inFlight.Values)
            {
                request.TryFlush();
                pending.Add(request.Completion);
            }
        }
        await Task.WhenAll(pending);
    }

    private void Enqueue(Message reply) => _replies.Enqueue(reply, _session.Dialect, _session.MaxMessageSize);

    private void Reply(Message reply)
    {
        Enqueue(reply);
        _replies.Send();
    }
}
