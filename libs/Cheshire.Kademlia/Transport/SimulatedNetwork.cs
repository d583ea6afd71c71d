using System.Collections.Concurrent;
using System.Net;

namespace Cheshire.Kademlia.Transport;

/// <summary>
/// An in-memory network for thousands of nodes in one process. Each transport gets a distinct
/// address in 10.0.0.0/8; datagrams are delivered asynchronously on the thread pool, optionally
/// lost with <see cref="LossRate"/>. Taking a transport offline drops everything sent to it.
/// </summary>
public sealed class SimulatedNetwork
{
    private readonly ConcurrentDictionary<IPEndPoint, SimulatedTransport> _nodes = new();
    private int _next;
    private long _delivered;
    private long _dropped;
    private long _handlerErrors;

    /// <summary>Probability in [0, 1) that a datagram is lost.</summary>
    public double LossRate { get; set; }

    public long Delivered => Interlocked.Read(ref _delivered);
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Exceptions thrown by receive handlers (a healthy engine has none).</summary>
    public long HandlerErrors => Interlocked.Read(ref _handlerErrors);

    internal void HandlerFailed(Exception error)
    {
        Interlocked.Increment(ref _handlerErrors);
        LastHandlerError = error;
    }

    public Exception? LastHandlerError { get; private set; }

    public SimulatedTransport CreateTransport()
    {
        var n = Interlocked.Increment(ref _next);
        var address = new IPAddress(new byte[] { 10, (byte)(n >> 16), (byte)(n >> 8), (byte)n });
        return CreateTransport(new IPEndPoint(address, 4222));
    }

    public SimulatedTransport CreateTransport(IPEndPoint endPoint)
    {
        var transport = new SimulatedTransport(this, endPoint);
        if (!_nodes.TryAdd(endPoint, transport))
            throw new InvalidOperationException($"{endPoint} is already in use on the simulated network.");
        return transport;
    }

    internal void Remove(SimulatedTransport transport) => _nodes.TryRemove(transport.LocalEndPoint, out _);

    internal void Deliver(ReadOnlySpan<byte> datagram, IPEndPoint from, IPEndPoint to)
    {
        if (!_nodes.TryGetValue(to, out var target) || !target.Online || (LossRate > 0 && Random.Shared.NextDouble() < LossRate))
        {
            Interlocked.Increment(ref _dropped);
            return;
        }
        Interlocked.Increment(ref _delivered);
        target.Enqueue(datagram.ToArray(), from);
    }
}

/// <summary>One node's endpoint on a <see cref="SimulatedNetwork"/>.</summary>
public sealed class SimulatedTransport : IDatagramTransport
{
    private readonly SimulatedNetwork _network;
    private DatagramHandler? _handler;

    internal SimulatedTransport(SimulatedNetwork network, IPEndPoint endPoint)
    {
        _network = network;
        LocalEndPoint = endPoint;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>An offline node neither sends nor receives (churn).</summary>
    public bool Online { get; set; } = true;

    public void Start(DatagramHandler handler) => _handler = handler;

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint remote)
    {
        if (Online) _network.Deliver(datagram, LocalEndPoint, remote);
    }

    internal void Enqueue(byte[] datagram, IPEndPoint from)
    {
        var handler = _handler;
        if (handler is null) return;
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (h, data, source, self) = state;
            if (!self.Online) return;
            try
            {
                h(data, source);
            }
            catch (Exception e)
            {
                // as with UDP: a handler bug must not take the network down, but the simulation counts it
                self._network.HandlerFailed(e);
            }
        }, (handler, datagram, from, this), preferLocal: false);
    }

    public ValueTask DisposeAsync()
    {
        Online = false;
        _handler = null;
        _network.Remove(this);
        return ValueTask.CompletedTask;
    }
}
