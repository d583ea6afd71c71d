using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;

namespace Cheshire.Mainline.Transport;

/// <summary>
/// An in-process datagram network: many nodes in one process, each with its own address. Optional loss lets tests
/// exercise timeouts. Datagrams to unknown endpoints vanish, as with UDP.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly ConcurrentDictionary<IPEndPoint, InMemoryTransport> _endpoints = new();
    private int _nextHost;

    /// <summary>Probability in [0, 1] that a datagram is lost.</summary>
    public double LossRate { get; set; }

    public long Delivered => Interlocked.Read(ref _delivered);
    private long _delivered;

    /// <summary>Binds a transport on a fresh IPv4 address (10.x.y.z, BEP 42 exempt) unless an endpoint is given.</summary>
    public InMemoryTransport Bind(IPEndPoint? endPoint = null)
    {
        endPoint ??= NextEndPoint();
        var transport = new InMemoryTransport(this, endPoint);
        if (!_endpoints.TryAdd(endPoint, transport))
            throw new InvalidOperationException($"{endPoint} is already bound");
        return transport;
    }

    public IPEndPoint NextEndPoint()
    {
        var n = Interlocked.Increment(ref _nextHost);
        return new IPEndPoint(new IPAddress([10, (byte)(n >> 16), (byte)(n >> 8), (byte)n]), 6881);
    }

    internal void Deliver(ReadOnlyMemory<byte> data, IPEndPoint source, IPEndPoint destination)
    {
        if (LossRate > 0 && Random.Shared.NextDouble() < LossRate)
            return;
        if (_endpoints.TryGetValue(destination, out var target) && target.Inbox.Writer.TryWrite(new Datagram(data.ToArray(), source)))
            Interlocked.Increment(ref _delivered);
    }

    internal void Unbind(InMemoryTransport transport) => _endpoints.TryRemove(new(transport.LocalEndPoint, transport));
}

/// <summary>One endpoint of an <see cref="InMemoryNetwork"/>.</summary>
public sealed class InMemoryTransport : IDatagramTransport
{
    private readonly InMemoryNetwork _network;

    internal InMemoryTransport(InMemoryNetwork network, IPEndPoint endPoint)
    {
        _network = network;
        LocalEndPoint = endPoint;
    }

    internal Channel<Datagram> Inbox { get; } = Channel.CreateBounded<Datagram>(
        new BoundedChannelOptions(4_096) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public IPEndPoint LocalEndPoint { get; }

    public ValueTask SendAsync(ReadOnlyMemory<byte> datagram, IPEndPoint destination, CancellationToken cancellationToken)
    {
        _network.Deliver(datagram, LocalEndPoint, destination);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<Datagram> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Inbox.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw new OperationCanceledException();
        }
    }

    public ValueTask DisposeAsync()
    {
        _network.Unbind(this);
        Inbox.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
