namespace Cheshire.Kademlia;

public sealed partial class KademliaNode
{
    private DateTimeOffset _lastPersist;

    private async Task MaintenanceLoop()
    {
        using var timer = new PeriodicTimer(Options.MaintenanceInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                try
                {
                    await MaintainOnce().ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // one failed round (e.g. a persistence error) must not stop the next
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Expiry, listener sweep, bucket refresh, republish, replication, and saving contacts.</summary>
    internal async Task MaintainOnce()
    {
        var now = _time.GetUtcNow();
        _store.Sweep();
        _fragments.Sweep();
        SweepListeners();
        if (RoutingTable.Count > 0)
        {
            foreach (var prefix in RoutingTable.StaleBuckets(now - Options.BucketRefreshInterval))
            {
                RoutingTable.MarkRefreshed(prefix);
                _ = FindNodeAsync(Id.RandomWithCommonPrefix(prefix), _stopping.Token);
            }
            // network work completes on receive threads: come back to the pool for the rest (SQLite)
            await RepublishDue(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            await HandOverToNewContacts(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            await ReplicateDue(_stopping.Token).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        }
        if (now - _lastPersist >= Options.PersistContactsInterval)
        {
            _lastPersist = now;
            SaveContacts();
        }
    }
}
