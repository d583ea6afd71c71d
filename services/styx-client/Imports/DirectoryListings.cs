using System.Collections.Concurrent;
using Cheshire.GlobalNamespace;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// Listings of namespace directories as this node's user sees them (<see cref="EntrySelection.Select"/>), cached: a
/// listing holds until its first entry expires, at most <see cref="ImportsSettings.MaxCacheTime"/>; an empty or
/// incomplete one (nobody answered in time) only <see cref="ImportsSettings.NegativeCacheTime"/>. A name missing from
/// a listing is believed for <see cref="ImportsSettings.NegativeCacheTime"/> too: after that a miss asks the DHT again.
/// </summary>
public sealed class DirectoryListings(DhtDirectoryReader reader, ImportsSettings settings, Cheshire.Identity.UserIdentity user, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Listing> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<Listing>> _fetching = new(StringComparer.Ordinal);
    private readonly string _viewer = user.Uid;

    /// <summary>The listing of <paramref name="directory"/> (a path of names).</summary>
    public async Task<Listing> ListAsync(string directory, CancellationToken ct)
    {
        if (_cache.TryGetValue(directory, out var cached) && clock.GetUtcNow() < cached.ExpiresAt)
            return cached;
        return await FetchAsync(directory, ct);
    }

    /// <summary>The entry listed as <paramref name="label"/> in <paramref name="directory"/>, or null when nobody publishes it.</summary>
    public async Task<ListedEntry?> FindAsync(string directory, string label, CancellationToken ct)
    {
        var listing = await ListAsync(directory, ct);
        if (EntrySelection.Find(listing.Entries, label) is { } found)
            return found;
        if (clock.GetUtcNow() - listing.FetchedAt < settings.NegativeCacheTime)
            return null;
        return EntrySelection.Find((await FetchAsync(directory, ct)).Entries, label);
    }

    /// <summary>Forgets the cached listing of <paramref name="directory"/>.</summary>
    public void Forget(string directory) => _cache.TryRemove(directory, out _);

    /// <summary>One DHT get per directory at a time: walks arriving meanwhile (a client retrying, a burst of lookups) share it.</summary>
    private async Task<Listing> FetchAsync(string directory, CancellationToken ct)
    {
        var fetch = _fetching.GetOrAdd(directory, ReadAsync);
        _ = fetch.ContinueWith(done => _fetching.TryRemove(KeyValuePair.Create(directory, done)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await fetch.WaitAsync(ct);
    }

    /// <summary>Bounded by the lookup deadline, not by any one caller: others may be waiting for it.</summary>
    private async Task<Listing> ReadAsync(string directory)
    {
        var (entries, complete) = await reader.ReadAsync(directory, CancellationToken.None);
        var now = clock.GetUtcNow();
        var listed = EntrySelection.Select(entries, _viewer);
        var lifetime = listed.Count == 0 || !complete
            ? settings.NegativeCacheTime
            : TimeSpan.FromTicks(Math.Min(settings.MaxCacheTime.Ticks, listed.Min(e => e.Entry.Expiry - now).Ticks));
        var listing = new Listing(listed, now, now + lifetime);
        _cache[directory] = listing;
        return listing;
    }

    public sealed record Listing(IReadOnlyList<ListedEntry> Entries, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt);
}
