using System.Net;
using Cheshire.Kademlia.Protocol;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    private sealed class PendingRequest(IPEndPoint to)
    {
        public readonly IPEndPoint To = to;
        public readonly TaskCompletionSource<Envelope?> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        Interlocked.Increment(ref _counters.DatagramsIn);
        Interlocked.Add(ref _counters.BytesIn, datagram.Length);
        if (!MessageCodec.TryDecode(datagram, out var envelope, out var sender))
        {
            Interlocked.Increment(ref _counters.Malformed);
            if (envelope is { Tx: not 0 } && !MessageCodec.IsResponse(envelope))
                Send(MessageCodec.Error(ErrorCode.ErrorMalformed, "sender id must be 20 bytes and a body is required"), envelope.Tx, remote);
            return;
        }
        if (sender == Id) return;
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
        if (pending.Completion.TrySetResult(envelope))
            Seen(new Contact(sender, remote));
    }

    /// <summary>Routing table upkeep on every valid message: a full bucket pings its least recently seen contact.</summary>
    private void Seen(Contact contact)
    {
        if (RoutingTable.Seen(contact, out var stale, Options.RequestTimeout * 4) != SeenResult.Cached || stale is not { } lru) return;
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
        var bytes = envelope.ToByteArray();
        Interlocked.Increment(ref _counters.DatagramsOut);
        Interlocked.Add(ref _counters.BytesOut, bytes.Length);
        _transport.Send(bytes, remote);
    }

    /// <summary>
    /// Sends a request and waits for the response with the same transaction id from the same endpoint,
    /// resending on timeout. Null when nobody answered (the contact, if known, is marked failed).
    /// </summary>
    private async Task<Envelope?> RequestAsync(IPEndPoint to, NodeId? expected, Envelope request, CancellationToken ct)
    {
        var pending = new PendingRequest(to);
        ulong tx;
        do tx = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        while (!_pending.TryAdd(tx, pending));
        request.Tx = tx;
        request.SenderId = _idBytes;
        request.Version = MessageCodec.Version;
        var bytes = request.ToByteArray();
        try
        {
            for (var attempt = 0; attempt <= Options.Retries; attempt++)
            {
                if (attempt > 0) Interlocked.Increment(ref _counters.Retries);
                Interlocked.Increment(ref _counters.DatagramsOut);
                Interlocked.Add(ref _counters.BytesOut, bytes.Length);
                _transport.Send(bytes, to);
                if (await WaitAsync(pending.Completion.Task, ct).ConfigureAwait(false) is { } reply)
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
            _pending.TryRemove(tx, out _);
        }
    }

    private async Task<Envelope?> WaitAsync(Task<Envelope?> response, CancellationToken ct)
    {
        if (response.IsCompleted) return response.Result;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        var timeout = Task.Delay(Options.RequestTimeout, _time, cancel.Token);
        var first = await Task.WhenAny(response, timeout).ConfigureAwait(false);
        if (first == response)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            return response.Result;
        }
        ct.ThrowIfCancellationRequested();
        return null;
    }
}
