using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;

namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>
/// The last known status of each module this one watches (kept by <see cref="DependencyWatcher"/>), answered at once:
/// what the health check, GetInfo and the calls that fail fast read instead of asking the module each time. A module
/// with no address configured (<c>services:NAME</c>, which the AppHost always sets) is not watched.
/// </summary>
public sealed class DependencyWatch(WatchedModules modules, IConfiguration configuration, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, WatchedStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _seen = new(StringComparer.Ordinal);

    /// <summary>The modules watched here: those registered and configured.</summary>
    public IEnumerable<string> Modules => modules.Names.Where(IsWatched);

    public bool IsWatched(string module) =>
        modules.Contains(module) && configuration.GetSection($"services:{module}").Exists();

    public WatchedStatus Get(string module) =>
        _statuses.GetValueOrDefault(module) ?? new WatchedStatus(module, WatchedState.NotSeen, "not watched yet", DateTimeOffset.MinValue, null);

    /// <summary>Waits until the module's first answer (or failure) is known, at most <paramref name="timeout"/>.</summary>
    public async Task<WatchedStatus> WaitSeenAsync(string module, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var seen = _seen.GetOrAdd(module, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        try
        {
            await seen.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        return Get(module);
    }

    /// <summary>Records an answer or a failure; the time of change moves only when the state changes.</summary>
    public WatchedStatus Report(string module, WatchedState state, string detail)
    {
        var now = time.GetUtcNow();
        var reachable = state is not (WatchedState.Unreachable or WatchedState.NotSeen);
        var updated = _statuses.AddOrUpdate(module,
            _ => new WatchedStatus(module, state, detail, now, reachable ? now : null),
            (_, old) => new WatchedStatus(module, state, detail, old.State == state ? old.Since : now, reachable ? now : old.LastReachableAt));
        _seen.GetOrAdd(module, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return updated;
    }
}
