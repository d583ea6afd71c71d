using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Krpc;
using Cheshire.Mainline.Security;
using Cheshire.Mainline.Transport;

namespace Cheshire.Mainline.Engine;

/// <summary>
/// The hot path for ping / find_node / get_peers on a synchronous transport: one dedicated thread receives into a
/// reused buffer, <see cref="FastQueryReader"/> locates the query, the reply is written into a reused buffer and
/// sent at once. Same order of effects and same bytes as <see cref="HandleDatagramAsync"/>, which handles
/// everything else.
/// </summary>
public sealed partial class MainlineNode
{
    private const int ReplyBufferSize = 4096;

    private Task StartReceiveThread(ISynchronousDatagramTransport transport)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                ReceiveLoop(transport);
            }
            finally
            {
                done.SetResult();
            }
        })
        { IsBackground = true, Name = "mainline-receive" };
        thread.Start();
        return done.Task;
    }

    private void ReceiveLoop(ISynchronousDatagramTransport transport)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(65_536);
        var reply = new byte[ReplyBufferSize];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            IPEndPoint source;
            try
            {
                length = transport.Receive(buffer, out source);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                if (!TryAnswerFast(buffer.AsSpan(0, length), source, reply, transport))
                    HandleDatagramAsync(new Datagram(buffer.AsSpan(0, length).ToArray(), source)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref _stats.InternalErrors);
                LastInternalError = e;
            }
        }
    }

    /// <summary>
    /// Answers a ping / find_node / get_peers query without building message objects; false when the datagram is
    /// anything else (the caller then runs <see cref="HandleDatagramAsync"/>).
    /// </summary>
    internal bool TryAnswerFast(ReadOnlySpan<byte> datagram, IPEndPoint source, Span<byte> reply, ISynchronousDatagramTransport transport)
    {
        if (Options.ReadOnly || source.Port == 0 || !FastQueryReader.TryRead(datagram, out var query))
            return false;
        StatCounters.Count(_stats.QueriesReceived, query.Method switch
        {
            FastMethod.Ping => "ping",
            FastMethod.FindNode => "find_node",
            _ => "get_peers",
        });
        var transactionId = datagram[query.TransactionId];
        switch (_rateLimiter.Check(source.Address))
        {
            case RateDecision.Reject:
                Interlocked.Increment(ref _stats.RateLimited);
                Interlocked.Increment(ref _stats.ErrorsSent);
                transport.Send(EncodeWithVersion(KrpcMessage.Error(transactionId.ToArray(), KrpcErrorCode.Server, "rate limit exceeded", source)), source);
                return true;
            case RateDecision.Drop:
                Interlocked.Increment(ref _stats.RateLimited);
                return true;
        }
        var writer = new FastReplyWriter(reply, source, Id.Span);
        if (query.Method != FastMethod.Ping)
        {
            var target = datagram[query.Target];
            if (query.Method == FastMethod.GetPeers)
            {
                Span<byte> token = stackalloc byte[TokenManager.TokenLength];
                _tokens.Generate(source.Address, token);
                var peers = Peers.Get(new NodeId(target), source.AddressFamily);
                WriteNodes(ref writer, target, source.AddressFamily);
                writer.Token(token);
                if (peers.Count > 0)
                    writer.Values(peers);
            }
            else
            {
                WriteNodes(ref writer, target, source.AddressFamily);
            }
        }
        var length = writer.Finish(transactionId, Options.ClientVersion.Span);
        transport.Send(reply[..length], source);
        if (!query.ReadOnly)
            OnQueriedBy(new NodeId(datagram[query.Id]), source);
        return true;
    }

    private void WriteNodes(ref FastReplyWriter writer, ReadOnlySpan<byte> target, AddressFamily family)
    {
        var k = Options.Routing.BucketSize;
        var maxLength = Routing.RoutingTable.MaxCompactLength(k, family);
        Span<byte> nodes = maxLength <= 1024 ? stackalloc byte[maxLength] : new byte[maxLength];
        var written = RoutingTable.WriteClosestConfirmed(target, k, family, nodes);
        nodes[..written].CopyTo(writer.ReserveNodes(family, written));
    }
}
