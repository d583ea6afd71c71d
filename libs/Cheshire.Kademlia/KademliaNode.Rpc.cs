using System.Buffers;
using System.Net;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    /// <summary>
    /// An outstanding request. Each attempt gets a fresh completion; a reply to any attempt (same transaction id)
    /// completes the current one. Timeouts come from one sweep per node, not a timer per request.
    /// </summary>
    private sealed class PendingRequest(IPEndPoint to)
    {
        public readonly IPEndPoint To = to;
        private TaskCompletionSource<Envelope?>? _attempt;
        private long _deadline = long.MaxValue;

        public Task<Envelope?> Arm(long deadline)
        {
            // Completed on the receive thread, which then runs the waiting lookup step itself (no thread hop per
            // reply); public methods yield to the thread pool before returning to callers.
            var attempt = new TaskCompletionSource<Envelope?>();
            Volatile.Write(ref _attempt, attempt);
            Volatile.Write(ref _deadline, deadline);
            return attempt.Task;
        }

        public bool Complete(Envelope? reply) => Volatile.Read(ref _attempt)?.TrySetResult(reply) ?? false;

        public void ExpireIfDue(long now)
        {
            if (now >= Volatile.Read(ref _deadline)) Complete(null);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        Interlocked.Increment(ref _counters.DatagramsIn);
        Interlocked.Add(ref _counters.BytesIn, datagram.Length);
        OnMessage(datagram, remote, reassembled: false);
    }

    private void OnMessage(ReadOnlySpan<byte> datagram, IPEndPoint remote, bool reassembled)
    {
        if (!MessageCodec.TryDecode(datagram, out var envelope, out var sender))
        {
            Interlocked.Increment(ref _counters.Malformed);
            if (envelope is { Tx: not 0, BodyCase: not Envelope.BodyOneofCase.Fragment } && !MessageCodec.IsResponse(envelope))
                Send(MessageCodec.Error(ErrorCode.ErrorMalformed, "sender id must be 20 bytes and a body is required"), envelope.Tx, remote);
            return;
        }
        if (sender == Id) return;
        if (envelope.BodyCase == Envelope.BodyOneofCase.Fragment)
        {
            // a fragment never carries another fragment; pieces of a message are joined, then handled as one
            byte[]? whole = null;
            var outcome = reassembled ? FragmentOutcome.Refused : _fragments.Add(envelope.Fragment, remote, out whole);
            if (outcome == FragmentOutcome.Refused) Interlocked.Increment(ref _counters.Malformed);
            else if (outcome == FragmentOutcome.Complete)
            {
                Interlocked.Increment(ref _counters.Reassembled);
                OnMessage(whole!, remote, reassembled: true);
            }
            return;
        }
        if (MessageCodec.IsResponse(envelope))
        {
            OnResponse(envelope, sender, remote);
            return;
        }
        if (!_rateLimiter.TryAcquire(remote.Address))
        {
            Interlocked.Increment(ref _counters.RateLimited);
            Send(MessageCodec.Error(ErrorCode.ErrorRateLimited, "too many requests from this address"), envelope.Tx, remote);
            return;
        }
        Interlocked.Increment(ref _counters.Requests);
        Envelope reply;
        try
        {
            reply = HandleRequest(envelope, sender, remote);
        }
        catch (DhtException e)
        {
            reply = MessageCodec.Error(e.Code, e.Message);
        }
        Send(reply, envelope.Tx, remote);
        Seen(new Contact(sender, remote));
    }

    private void OnResponse(Envelope envelope, NodeId sender, IPEndPoint remote)
    {
        if (!_pending.TryGetValue(envelope.Tx, out var pending) || !pending.To.Equals(remote))
        {
            Interlocked.Increment(ref _counters.Malformed);
            return;
        }
        // seen first: completing runs the waiting lookup step right here, and it may consult the routing table
        Seen(new Contact(sender, remote));
        pending.Complete(envelope);
    }

    /// <summary>Routing table upkeep on every valid message: a full bucket pings its least recently seen contact.</summary>
    private void Seen(Contact contact)
    {
        var seen = RoutingTable.Seen(contact, out var stale, Options.RequestTimeout * 4);
        if (seen == SeenResult.Added) NewContact(contact);
        if (seen != SeenResult.Cached || stale is not { } lru) return;
        _ = Task.Run(async () =>
        {
            var reply = await RequestAsync(lru.EndPoint, lru.Id, new Envelope { Ping = new Ping() }, _stopping.Token).ConfigureAwait(false);
            if (reply is null) RoutingTable.Failed(lru.Id);
        });
    }

    private void Send(Envelope envelope, ulong tx, IPEndPoint remote)
    {
        envelope.Tx = tx;
        envelope.SenderId = _idBytes;
        envelope.Version = MessageCodec.Version;
        var size = envelope.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            envelope.WriteTo(buffer.AsSpan(0, size));
            SendMessage(buffer.AsSpan(0, size), tx, NewMessageId(), remote);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Sends a request and waits for the response with the same transaction id from the same endpoint,
    /// resending on timeout. Null when nobody answered (the contact, if known, is marked failed).
    /// </summary>
    private async Task<Envelope?> RequestAsync(IPEndPoint to, NodeId? expected, Envelope request, CancellationToken ct)
    {
        if (_stopping.IsCancellationRequested) return null;
        var pending = new PendingRequest(to);
        ulong tx;
        do tx = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        while (!_pending.TryAdd(tx, pending));
        StartSweeping();
        request.Tx = tx;
        request.SenderId = _idBytes;
        request.Version = MessageCodec.Version;
        var size = request.CalculateSize();
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        request.WriteTo(buffer.AsSpan(0, size));
        var messageId = NewMessageId();
        var cancellation = ct.CanBeCanceled
            ? ct.UnsafeRegister(static state => ((PendingRequest)state!).Complete(null), pending)
            : default;
        try
        {
            for (var attempt = 0; attempt <= Options.Retries; attempt++)
            {
                if (attempt > 0) Interlocked.Increment(ref _counters.Retries);
                var response = pending.Arm(_time.GetTimestamp() + _requestTimeoutTicks);
                if (_stopping.IsCancellationRequested) return null;
                SendMessage(buffer.AsSpan(0, size), tx, messageId, to);
                var reply = await response.ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
                if (reply is not null)
                {
                    if (expected is { } id && new NodeId(reply.SenderId.Span) != id)
                    {
                        // another node now answers at this address: the old contact is gone
                        RoutingTable.Remove(id);
                    }
                    return reply;
                }
                if (_stopping.IsCancellationRequested) return null;
            }
            Interlocked.Increment(ref _counters.Timeouts);
            if (expected is { } failed) RoutingTable.Failed(failed);
            return null;
        }
        finally
        {
            await cancellation.DisposeAsync().ConfigureAwait(false);
            _pending.TryRemove(tx, out _);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ulong NewMessageId() => (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);

    /// <summary>Sends an encoded message: in one datagram when it fits, else as fragments (resent whole on retry).</summary>
    private void SendMessage(ReadOnlySpan<byte> message, ulong tx, ulong messageId, IPEndPoint to)
    {
        if (message.Length <= Options.MaxDatagramSize)
        {
            SendDatagram(message, to);
            return;
        }
        if (message.Length > Options.MaxMessageSize)
        {
            Interlocked.Increment(ref _counters.Oversized);
            return;
        }
        var chunk = FragmentAssembler.PayloadPerFragment(Options.MaxDatagramSize);
        var count = (message.Length + chunk - 1) / chunk;
        var buffer = ArrayPool<byte>.Shared.Rent(Options.MaxDatagramSize);
        var copy = ArrayPool<byte>.Shared.Rent(chunk);
        try
        {
            for (var index = 0; index < count; index++)
            {
                var part = message.Slice(index * chunk, Math.Min(chunk, message.Length - index * chunk));
                part.CopyTo(copy);
                var fragment = new Envelope
                {
                    Tx = tx,
                    SenderId = _idBytes,
                    Version = MessageCodec.Version,
                    Fragment = new Fragment
                    {
                        MessageId = messageId,
                        Index = (uint)index,
                        Count = (uint)count,
                        Data = UnsafeByteOperations.UnsafeWrap(copy.AsMemory(0, part.Length)),
                    },
                };
                var size = fragment.CalculateSize();
                fragment.WriteTo(buffer.AsSpan(0, size));
                SendDatagram(buffer.AsSpan(0, size), to);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void SendDatagram(ReadOnlySpan<byte> datagram, IPEndPoint to)
    {
        Interlocked.Increment(ref _counters.DatagramsOut);
        Interlocked.Add(ref _counters.BytesOut, datagram.Length);
        _transport.Send(datagram, to);
    }

    // The timeout sweep runs only while requests are outstanding, so thousands of idle simulated nodes cost nothing.
    private void StartSweeping()
    {
        if (Interlocked.CompareExchange(ref _sweeping, 1, 0) == 0)
            _timeouts.Change(_sweepPeriod, _sweepPeriod);
    }

    private void ExpirePendingRequests()
    {
        var now = _time.GetTimestamp();
        foreach (var pending in _pending.Values) pending.ExpireIfDue(now);
        if (!_pending.IsEmpty || _stopping.IsCancellationRequested) return;
        Volatile.Write(ref _sweeping, 0);
        _timeouts.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        if (!_pending.IsEmpty) StartSweeping();
    }
}
