using System.Threading.Channels;
using Cheshire.GlobalNamespace;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Protos.Dht;
using Cheshire.StyxProvider.Servers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Cheshire.ServiceDefaults;
using Cheshire.StyxProvider.Control;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxProvider.Publishing;

/// <summary>
/// Publishes the servers of the exports file in the global namespace through the dht module's Put (see
/// <see cref="WantedEntries"/>): when the servers change, and again at half of <see cref="PublishingSettings.EntryLifetime"/>.
/// A child no longer wanted is withdrawn: the same value id with kind Withdrawn and a higher seq. The dht module signs
/// with the node key it reports in NodeInfo; entries name that key and carry the user's binding over it. While the dht
/// cannot be reached, rounds are retried with backoff; nothing here stops the module.
/// </summary>
public sealed class Publisher(GrpcClientFactory clients, ServerRegistry registry, PublishingSettings settings, UserIdentity user,
    NodeIdentity node, TimeProvider time, ILogger<Publisher> logger) : BackgroundService
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(1);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, PublishedEntry> _published = new(StringComparer.Ordinal);
    private string _stateSigningKey = "";
    private byte[]? _ownerKey;
    private byte[]? _signingKey;
    private UserBinding? _binding;
    private ulong _lastSeq;
    private bool _reachable = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.Advertise.Count == 0)
        {
            logger.LogWarning("Not publishing in the global namespace: no link address to advertise. Set {Key} (host:port, comma-separated).",
                PublishingSettings.AdvertiseKey);
            return;
        }
        _ownerKey = OwnerEncryption.PublicKey(user);
        LoadState();
        registry.Changed += Wake;
        try
        {
            var retry = FirstRetry;
            while (!stoppingToken.IsCancellationRequested)
            {
                _wake.Reader.TryRead(out _);
                var next = await PublishAsync(stoppingToken);
                retry = next is null ? TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks)) : FirstRetry;
                var pause = next is { } due ? Clamp(due - time.GetUtcNow()) : retry;
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(Task.Delay(pause, time, wait.Token), _wake.Reader.WaitToReadAsync(wait.Token).AsTask());
                await wait.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.Changed -= Wake;
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private static TimeSpan Clamp(TimeSpan pause) => pause < TimeSpan.Zero ? TimeSpan.Zero : pause;

    /// <summary>One round: puts what is new, changed or due, withdraws what went. When the next round is due; null after a failure.</summary>
    private async Task<DateTimeOffset?> PublishAsync(CancellationToken ct)
    {
        var dht = clients.CreateModuleClient<DhtClient>(ControlTrees.DhtModule);
        try
        {
            if (_signingKey is null) await LearnSigningKeyAsync(dht, ct);
            var wanted = WantedEntries.For(registry.Servers.Values.Where(s => !s.IsBuiltIn).Select(s => s.Definition!));
            int put = 0, withdrawn = 0;
            // Ancestors first and withdrawals deepest first: a child is never listed under a directory not yet (or no longer) listed.
            foreach (var entry in wanted.Values.OrderBy(e => Depth(e.ChildPath)))
            {
                var now = time.GetUtcNow();
                if (_published.TryGetValue(entry.ChildPath, out var known) && known.Wanted == entry && now < Due(known)) continue;
                var expiry = now + settings.EntryLifetime;
                // Written down before the put, as not yet confirmed (due at once): a provider killed right after the put
                // still withdraws the entry at its next start if the server went meanwhile, or puts it again if not.
                _published[entry.ChildPath] = new PublishedEntry(entry, known?.Seq ?? 0, DateTimeOffset.UnixEpoch, expiry);
                SaveState();
                _published[entry.ChildPath] = new PublishedEntry(entry, await PutAsync(dht, entry, entry.Kind, expiry, ct), now, expiry);
                put++;
            }
            foreach (var (path, known) in _published.Where(p => !wanted.ContainsKey(p.Key)).OrderByDescending(p => Depth(p.Key)).ToList())
            {
                if (known.Expiry - time.GetUtcNow() > TimeSpan.FromSeconds(1))
                {
                    await PutAsync(dht, known.Wanted, EntryKind.Withdrawn, known.Expiry, ct);
                    logger.LogInformation("Withdrew {Path} from the global namespace", path);
                    withdrawn++;
                }
                _published.Remove(path);
            }
            if (!_reachable) logger.LogInformation("The dht module is reachable again; the global namespace entries are up to date");
            _reachable = true;
            if (put + withdrawn > 0)
                SaveState();
            if (put + withdrawn > 0)
                logger.LogInformation("Published {Put} and withdrew {Withdrawn} global namespace entries (salt '{Salt}', addresses {Addresses})",
                    put, withdrawn, settings.Salt, string.Join(", ", settings.Advertise));
            return _published.Count == 0 ? time.GetUtcNow() + settings.EntryLifetime : _published.Values.Min(Due);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            if (_reachable)
                logger.LogWarning("Cannot publish in the global namespace through the dht module ({Status}: {Detail}); retrying with backoff",
                    e.StatusCode, e.Status.Detail);
            _reachable = false;
            return null;
        }
        catch (RpcException) when (ct.IsCancellationRequested)
        {
            throw new OperationCanceledException(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Publishing in the global namespace failed: {Message}; retrying with backoff", e.Message);
            return null;
        }
    }

    private static int Depth(string childPath) => childPath.Count(c => c == '/');

    private DateTimeOffset Due(PublishedEntry published) => published.PutAt + settings.EntryLifetime / 2;

    /// <summary>The key the dht module signs with: entries must name it, and the user binding must be over it.</summary>
    private async Task LearnSigningKeyAsync(DhtClient dht, CancellationToken ct)
    {
        var info = await dht.NodeInfoAsync(new NodeInfoRequest(), deadline: Deadline(), cancellationToken: ct);
        var key = Convert.FromHexString(info.SigningKey);
        if (!key.AsSpan().SequenceEqual(node.PublicKey))
            logger.LogWarning("The dht module signs with node {DhtNode}, not this module's node {Node} (another data folder?): entries name the dht's " +
                "node, so links to {Node} will not match them", NodeId.Hash(key), node.NodeIdHex, node.NodeIdHex);
        _binding = UserBinding.Create(user, key);
        _signingKey = key;
        if (_published.Count > 0 && _stateSigningKey != info.SigningKey)
        {
            logger.LogWarning("The node key changed since the last run: the {Count} entries published with the old one cannot be withdrawn and expire by themselves",
                _published.Count);
            _published.Clear();
        }
        _stateSigningKey = info.SigningKey;
    }

    /// <summary>What an earlier run published, so that servers removed meanwhile are withdrawn.</summary>
    private void LoadState()
    {
        var state = PublishedState.Load(settings.StateFile, out var problem);
        if (problem is not null)
            logger.LogWarning("Cannot read {File} ({Problem}); entries published by an earlier run expire by themselves", settings.StateFile, problem);
        _stateSigningKey = state.SigningKey;
        _lastSeq = state.LastSeq;
        foreach (var entry in state.ValidEntries().Where(e => e.Expiry > time.GetUtcNow()))
            _published[entry.Wanted.ChildPath] = entry with { PutAt = DateTimeOffset.UnixEpoch }; // due: put again at once
    }

    private void SaveState()
    {
        try
        {
            new PublishedState { SigningKey = _stateSigningKey, LastSeq = _lastSeq, Entries = [.. _published.Values] }.Save(settings.StateFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Cannot write {File}: {Message}", settings.StateFile, e.Message);
        }
    }

    /// <summary>Puts one entry; returns its seq. The seq is the time in milliseconds, above every seq used before.</summary>
    private async Task<ulong> PutAsync(DhtClient dht, WantedEntry wanted, EntryKind kind, DateTimeOffset expiry, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var seq = _lastSeq = Math.Max((ulong)now.ToUnixTimeMilliseconds(), _lastSeq + 1);
        var entry = new NamespaceEntry
        {
            Name = wanted.Name,
            OwnerUid = _binding!.Uid,
            NodeId = NodeId.Hash(_signingKey),
            Addresses = settings.Advertise,
            Kind = kind,
            Expiry = expiry,
            Seq = seq,
            Binding = _binding,
        };
        var request = new PutRequest
        {
            Key = new Key { Id = ByteString.CopyFrom(DirectoryKey.For(wanted.DirectoryPath, settings.Salt).ToArray()) },
            Data = ByteString.CopyFrom(EntryCodec.Encode(entry)),
            ValueId = entry.ValueId,
            Seq = entry.Seq,
            Ttl = Duration.FromTimeSpan(EntryCodec.Ttl(entry, now)),
            Type = EntryCodec.TypeTag,
            Kind = wanted.Encrypted ? ValueKind.Encrypted : ValueKind.Signed,
        };
        if (wanted.Encrypted) request.RecipientKey = ByteString.CopyFrom(_ownerKey);
        var reply = await dht.PutAsync(request, deadline: Deadline(), cancellationToken: ct);
        logger.LogDebug("Put {Kind} {Path} (seq {Seq}, {Mode}): stored on {Stored} of {Asked} nodes",
            kind, wanted.ChildPath, seq, wanted.Encrypted ? "sealed to the owner" : "in the clear", reply.Stored, reply.Asked);
        return seq;
    }

    private DateTime Deadline() => time.GetUtcNow().UtcDateTime + CallTimeout;
}
