using System.Net;
using System.Net.Sockets;
using Cheshire.Mainline.Krpc;

namespace Cheshire.Mainline.Storage;

public sealed record PeerStoreOptions
{
    /// <summary>Announced peers expire after this long without a new announce (30 minutes in common clients).</summary>
    public TimeSpan PeerTtl { get; init; } = TimeSpan.FromMinutes(30);

    public int MaxPeersPerInfohash { get; init; } = 200;
    public int MaxInfohashes { get; init; } = 2_000;

    /// <summary>Peers returned per get_peers reply (keeps replies within one UDP datagram).</summary>
    public int MaxPeersPerReply { get; init; } = 50;
}

/// <summary>Announced peers per infohash, with expiry and limits. Thread-safe.</summary>
public sealed class PeerStore(PeerStoreOptions options, TimeProvider clock)
{
    private readonly Dictionary<NodeId, Dictionary<IPEndPoint, DateTimeOffset>> _torrents = [];
    private readonly Lock _lock = new();

    public PeerStoreOptions Options { get; } = options;

    public int InfohashCount
    {
        get { lock (_lock) return _torrents.Count; }
    }

    public int PeerCount
    {
        get { lock (_lock) return _torrents.Values.Sum(p => p.Count); }
    }

    /// <summary>Stores an announce; false when the store is full of other infohashes.</summary>
    public bool Add(NodeId infohash, IPEndPoint peer)
    {
        peer = Compact.Normalize(peer);
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_torrents.TryGetValue(infohash, out var peers))
            {
                if (_torrents.Count >= Options.MaxInfohashes)
                {
                    ExpireLocked(now);
                    if (_torrents.Count >= Options.MaxInfohashes)
                        return false;
                }
                _torrents[infohash] = peers = [];
            }
            if (!peers.ContainsKey(peer) && peers.Count >= Options.MaxPeersPerInfohash)
                peers.Remove(peers.MinBy(p => p.Value).Key);
            peers[peer] = now;
            return true;
        }
    }

    /// <summary>Up to <see cref="PeerStoreOptions.MaxPeersPerReply"/> random live peers of one address family.</summary>
    public List<IPEndPoint> Get(NodeId infohash, AddressFamily family)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            if (!_torrents.TryGetValue(infohash, out var peers))
                return [];
            var live = peers.Where(p => now - p.Value < Options.PeerTtl && p.Key.AddressFamily == family).Select(p => p.Key).ToArray();
            Random.Shared.Shuffle(live);
            return [.. live.Take(Options.MaxPeersPerReply)];
        }
    }

    /// <summary>BEP 51: a random sample of stored infohashes.</summary>
    public List<NodeId> Sample(int max)
    {
        lock (_lock)
        {
            var all = _torrents.Keys.ToArray();
            Random.Shared.Shuffle(all);
            return [.. all.Take(max)];
        }
    }

    public void Expire()
    {
        lock (_lock)
            ExpireLocked(clock.GetUtcNow());
    }

    private void ExpireLocked(DateTimeOffset now)
    {
        foreach (var (infohash, peers) in _torrents.ToList())
        {
            foreach (var (peer, _) in peers.Where(p => now - p.Value >= Options.PeerTtl).ToList())
                peers.Remove(peer);
            if (peers.Count == 0)
                _torrents.Remove(infohash);
        }
    }
}
