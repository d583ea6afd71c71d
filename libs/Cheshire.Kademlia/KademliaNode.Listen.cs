using System.Collections.Concurrent;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cheshire.Kademlia.Routing;
using Cheshire.Kademlia.Values;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    private sealed record RemoteListener(Contact Subscriber, ulong ListenId, DateTimeOffset Expires);

    /// <summary>A listen started on this node: values arrive from notifications, listen replies and the local store.</summary>
    private sealed class LocalListen(NodeId key, ulong id, int maxValueSize)
    {
        private readonly ValueFilter _filter = new(key, maxValueSize);
        private readonly Channel<DhtValue> _values = Channel.CreateUnbounded<DhtValue>(new UnboundedChannelOptions { SingleReader = true });

        public NodeId Key { get; } = key;
        public ulong Id { get; } = id;
        public ChannelReader<DhtValue> Reader => _values.Reader;

        public void Offer(DhtValue value)
        {
            if (_filter.Accept(value)) _values.Writer.TryWrite(value);
        }

        public void Complete() => _values.Writer.TryComplete();
    }

    private readonly Dictionary<NodeId, List<RemoteListener>> _listeners = [];
    private readonly Lock _listenersLock = new();
    private readonly ConcurrentDictionary<ulong, LocalListen> _localListens = new();

    private int ListenerCount
    {
        get { lock (_listenersLock) return _listeners.Values.Sum(l => l.Count); }
    }

    /// <summary>
    /// Current and future values under <paramref name="key"/>: registers on the ListenNodes closest nodes
    /// (renewed every half ListenTtl), which notify new and updated values as they are stored.
    /// Runs until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async IAsyncEnumerable<DhtValue> ListenAsync(NodeId key, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var listen = new LocalListen(key, (ulong)Random.Shared.NextInt64(1, long.MaxValue), Options.MaxValueSize);
        _localListens[listen.Id] = listen;
        foreach (var local in _store.Get(key)) listen.Offer(local);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        var registered = new ConcurrentDictionary<NodeId, Contact>();
        var upkeep = KeepListening(listen, registered, stop.Token);
        try
        {
            await foreach (var value in listen.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                yield return value;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _localListens.TryRemove(listen.Id, out _);
            listen.Complete();
            try
            {
                await upkeep.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
            catch (OperationCanceledException)
            {
            }
            if (!_stopping.IsCancellationRequested)
                _ = CancelRemoteListens(listen, registered.Values.ToList());
        }
    }

    private async Task KeepListening(LocalListen listen, ConcurrentDictionary<NodeId, Contact> registered, CancellationToken ct)
    {
        var keyBytes = ByteString.CopyFrom(listen.Key.ToArray());
        while (!ct.IsCancellationRequested)
        {
            var lookup = await FindClosestAsync(listen.Key, ct).ConfigureAwait(false);
            var targets = lookup.Closest.Take(Options.ListenNodes).ToList();
            var ok = await Task.WhenAll(targets.Select(async contact =>
            {
                var request = new Listen
                {
                    Key = keyBytes,
                    ListenId = listen.Id,
                    TtlSeconds = (uint)Options.ListenTtl.TotalSeconds,
                    Token = lookup.Tokens.TryGetValue(contact.Id, out var token) ? token : ByteString.Empty,
                };
                var reply = await RequestAsync(contact.EndPoint, contact.Id, new Envelope { Listen = request }, ct).ConfigureAwait(false);
                if (reply is not { BodyCase: Envelope.BodyOneofCase.ListenReply }) return false;
                registered[contact.Id] = contact;
                foreach (var wire in reply.ListenReply.Values) listen.Offer(new DhtValue(wire));
                return true;
            })).ConfigureAwait(false);
            var renew = ok.Any(x => x) ? Options.ListenTtl / 2 : Options.RequestTimeout * 2;
            await Task.Delay(renew, _time, ct).ConfigureAwait(false);
        }
    }

    private async Task CancelRemoteListens(LocalListen listen, List<Contact> registered)
    {
        var lookup = await FindClosestAsync(listen.Key, _stopping.Token).ConfigureAwait(false);
        await Task.WhenAll(registered.Select(contact => RequestAsync(contact.EndPoint, contact.Id, new Envelope
        {
            Listen = new Listen
            {
                Key = ByteString.CopyFrom(listen.Key.ToArray()),
                ListenId = listen.Id,
                Cancel = true,
                Token = lookup.Tokens.TryGetValue(contact.Id, out var token) ? token : ByteString.Empty,
            },
        }, _stopping.Token))).ConfigureAwait(false);
    }

    private ErrorCode AddListener(NodeId key, Contact subscriber, ulong listenId, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        lock (_listenersLock)
        {
            if (!_listeners.TryGetValue(key, out var list))
            {
                if (_listeners.Values.Sum(l => l.Count) >= Options.MaxListeners) return ErrorCode.ErrorTooManyListeners;
                list = [];
                _listeners[key] = list;
            }
            list.RemoveAll(l => l.ListenId == listenId && l.Subscriber.EndPoint.Equals(subscriber.EndPoint) || l.Expires <= now);
            if (list.Count >= Options.MaxListenersPerKey) return ErrorCode.ErrorTooManyListeners;
            list.Add(new RemoteListener(subscriber, listenId, now + ttl));
            return ErrorCode.ErrorNone;
        }
    }

    private void RemoveListener(NodeId key, ulong listenId, IPEndPoint subscriber)
    {
        lock (_listenersLock)
        {
            if (!_listeners.TryGetValue(key, out var list)) return;
            list.RemoveAll(l => l.ListenId == listenId && l.Subscriber.EndPoint.Equals(subscriber));
            if (list.Count == 0) _listeners.Remove(key);
        }
    }

    private void SweepListeners()
    {
        var now = _time.GetUtcNow();
        lock (_listenersLock)
        {
            foreach (var (key, list) in _listeners)
            {
                list.RemoveAll(l => l.Expires <= now);
                if (list.Count == 0) _listeners.Remove(key);
            }
        }
    }

    /// <summary>A value was added or replaced here: tell local listens and remote subscribers.</summary>
    private void OnValueChanged(StoredValue stored)
    {
        foreach (var listen in _localListens.Values)
            if (listen.Key == stored.Key) listen.Offer(stored.Value);
        List<RemoteListener> subscribers;
        var now = _time.GetUtcNow();
        lock (_listenersLock)
        {
            if (!_listeners.TryGetValue(stored.Key, out var list)) return;
            subscribers = list.Where(l => l.Expires > now).ToList();
        }
        var notify = new Notify { Key = ByteString.CopyFrom(stored.Key.ToArray()), Values = { stored.Value.Wire } };
        foreach (var subscriber in subscribers)
            _ = NotifyOne(stored.Key, subscriber, notify);
    }

    private async Task NotifyOne(NodeId key, RemoteListener subscriber, Notify notify)
    {
        Interlocked.Increment(ref _counters.Notifications);
        var message = notify.Clone();
        message.ListenId = subscriber.ListenId;
        var reply = await RequestAsync(subscriber.Subscriber.EndPoint, null, new Envelope { Notify = message }, _stopping.Token).ConfigureAwait(false);
        if (reply is null || reply.BodyCase == Envelope.BodyOneofCase.Error)
            RemoveListener(key, subscriber.ListenId, subscriber.Subscriber.EndPoint);
    }
}
