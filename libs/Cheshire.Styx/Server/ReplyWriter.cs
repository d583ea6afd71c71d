using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Server;

/// <summary>
/// Writes a connection's replies in the order they were queued. Whoever queues a reply while no one is writing writes
/// and flushes it on its own thread (one thread at a time; replies queued meanwhile go out with the same flush), so an
/// answered request costs no hand-off to a writer thread. A flush that does not complete at once (the peer reads
/// slowly) finishes asynchronously and then writes what queued up behind it.
/// </summary>
internal sealed class ReplyWriter(PipeWriter output, Action onFailure)
{
    private readonly ConcurrentQueue<OutgoingReply> _queue = new();
    private int _writing;
    private volatile bool _failed;
    private Task _pendingFlush = Task.CompletedTask;

    /// <summary>Queues a reply without writing it (callers holding a lock); <see cref="Send"/> writes it.</summary>
    public void Enqueue(Message reply, Dialect dialect, uint maxMessageSize)
    {
        if (_failed)
        {
            reply.Release();
            return;
        }
        _queue.Enqueue(new OutgoingReply(reply, dialect, maxMessageSize));
    }

    /// <summary>Writes and flushes everything queued, unless another thread is doing so (it will take these too).</summary>
    public void Send()
    {
        while (!_failed && Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            ValueTask<FlushResult> flush;
            try
            {
                var wrote = false;
                while (_queue.TryDequeue(out var item))
                {
                    Write(output, item);
                    wrote = true;
                }
                if (!wrote)
                {
                    Volatile.Write(ref _writing, 0);
                    if (_queue.IsEmpty) return;
                    continue;
                }
                flush = output.FlushAsync();
            }
            catch (Exception e) when (IsTransportFailure(e))
            {
                Fail();
                return;
            }
            if (!flush.IsCompleted)
            {
                _pendingFlush = CompleteFlushAsync(flush);
                return;
            }
            FlushResult result;
            try
            {
                result = flush.Result;
            }
            catch (Exception e) when (IsTransportFailure(e))
            {
                Fail();
                return;
            }
            if (!Flushed(result)) return;
        }
    }

    /// <summary>Waits for a flush still under way, then drops whatever could not be written.</summary>
    public async Task DrainAsync()
    {
        Task pending;
        while (!(pending = _pendingFlush).IsCompleted) await pending;
        if (_failed) ReleaseQueued();
    }

    private async Task CompleteFlushAsync(ValueTask<FlushResult> flush)
    {
        FlushResult result;
        try
        {
            result = await flush;
        }
        catch (Exception e) when (IsTransportFailure(e))
        {
            Fail();
            return;
        }
        if (Flushed(result)) Send();
    }

    /// <summary>Ends a completed flush: true if writing may go on (the writer is released for the next one).</summary>
    private bool Flushed(FlushResult result)
    {
        if (result.IsCompleted || result.IsCanceled)
        {
            Fail();
            return false;
        }
        Volatile.Write(ref _writing, 0);
        return true;
    }

    private void Fail()
    {
        _failed = true;
        ReleaseQueued();
        onFailure();
    }

    private void ReleaseQueued()
    {
        while (_queue.TryDequeue(out var item)) item.Reply.Release();
    }

    private static bool IsTransportFailure(Exception e) =>
        e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException;

    private static void Write(IBufferWriter<byte> output, OutgoingReply item)
    {
        try
        {
            StyxMessageWriter.Write(output, item.Reply, item.Dialect, item.MaxMessageSize);
        }
        catch (StyxProtocolException e)
        {
            var error = item.Dialect == Dialect.Linux
                ? (Message)new Rlerror(item.Reply.Tag, Errno.EPROTO)
                : new Rerror(item.Reply.Tag, e.Message, Errno.EPROTO);
            StyxMessageWriter.Write(output, error, item.Dialect, item.MaxMessageSize);
        }
        finally
        {
            item.Reply.Release();
        }
    }

    private readonly record struct OutgoingReply(Message Reply, Dialect Dialect, uint MaxMessageSize);
}
