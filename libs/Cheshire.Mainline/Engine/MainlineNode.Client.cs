using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Cheshire.Mainline.Bencode;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Security;

namespace Cheshire.Mainline.Engine;

/// <summary>A response to one of our queries.</summary>
public sealed record QueryResponse(NodeContact Node, BDictionary Body);

public sealed partial class MainlineNode
{
    private readonly ConcurrentDictionary<ushort, PendingQuery> _pending = new();
    private int _nextTransaction = Random.Shared.Next(ushort.MaxValue);

    private sealed record PendingQuery(IPEndPoint Destination, TaskCompletionSource<KrpcMessage> Completion);

    /// <summary>
    /// Sends a query and waits for its response. Throws <see cref="KrpcException"/> for an error reply and
    /// <see cref="TimeoutException"/> when none arrives within <see cref="MainlineOptions.QueryTimeout"/>.
    /// Responders are added to the routing table; a known node that times out is marked as failed.
    /// The sender id is written into <paramref name="arguments"/>.
    /// </summary>
    public async Task<QueryResponse> QueryAsync(IPEndPoint destination, string method, BDictionary arguments, NodeId? expectedId, CancellationToken cancellationToken)
    {
        destination = Compact.Normalize(destination);
        arguments["id"] = new BString(Id.ToArray());
        var (transaction, pending) = Register(destination);
        var key = BinaryPrimitives.ReadUInt16BigEndian(transaction);
        try
        {
            StatCounters.Count(_stats.QueriesSent, method);
            await SendAsync(KrpcMessage.Query(transaction, method, arguments, Options.ReadOnly), destination);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
            timeout.CancelAfter(Options.QueryTimeout);
            KrpcMessage reply;
            try
            {
                reply = await pending.Completion.Task.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _stats.Timeouts);
                if (expectedId is { } failed)
                    RoutingTable.Failed(failed);
                throw new TimeoutException($"{method} to {destination} timed out");
            }
            if (reply.Type == KrpcMessageType.Error)
                throw new KrpcException(reply.ErrorCode, reply.ErrorMessage ?? "");
            if (reply.SenderId is not { } id)
                throw new KrpcException(KrpcErrorCode.Protocol, "response without a valid 'id'");
            VoteExternalAddress(reply.ExternalIp);
            RoutingTable.Heard(id, destination, responded: true, SecureNodeId.IsVerified(id, destination.Address));
            return new QueryResponse(new NodeContact(id, destination), reply.Response!);
        }
        finally
        {
            _pending.TryRemove(key, out _);
        }
    }

    /// <summary>BEP 5 ping; returns the node's id, or null when it does not answer.</summary>
    public async Task<NodeId?> PingAsync(IPEndPoint destination, CancellationToken cancellationToken = default)
    {
        try
        {
            return (await QueryAsync(destination, "ping", new BDictionary(), null, cancellationToken)).Node.Id;
        }
        catch (Exception e) when (e is TimeoutException or KrpcException or OperationCanceledException)
        {
            return null;
        }
    }

    private (byte[] Transaction, PendingQuery Pending) Register(IPEndPoint destination)
    {
        var pending = new PendingQuery(destination, new TaskCompletionSource<KrpcMessage>(TaskCreationOptions.RunContinuationsAsynchronously));
        for (var attempt = 0; attempt <= ushort.MaxValue; attempt++)
        {
            var key = (ushort)Interlocked.Increment(ref _nextTransaction);
            if (_pending.TryAdd(key, pending))
            {
                var transaction = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(transaction, key);
                return (transaction, pending);
            }
        }
        throw new InvalidOperationException("too many queries in flight");
    }

    private void CompleteTransaction(KrpcMessage message, IPEndPoint source)
    {
        if (message.TransactionId.Length != 2)
            return;
        var key = BinaryPrimitives.ReadUInt16BigEndian(message.TransactionId.Span);
        if (!_pending.TryGetValue(key, out var pending) || !pending.Destination.Equals(source))
            return; // unsolicited or spoofed
        if (message.Type == KrpcMessageType.Error)
            Interlocked.Increment(ref _stats.ErrorsReceived);
        else
            Interlocked.Increment(ref _stats.ResponsesReceived);
        pending.Completion.TrySetResult(message);
    }

    private void FailAllPending()
    {
        foreach (var pending in _pending.Values)
            pending.Completion.TrySetCanceled();
    }
}
