using System.Globalization;
using Cheshire.Protos.Modules;

namespace Cheshire.ServiceDefaults.Dependencies;

/// <summary>
/// Decides, before a call to a module is attempted, whether it is known down, from the Watch-cached status: a module
/// that answers (whatever its status) or is not watched is called; one that does not answer is called (and ridden out
/// by the client's retries) while it is merely restarting — the supervisor reports it starting, running or restarting,
/// or, without a supervisor's word, it answered within <see cref="RideOut"/> — and refused at once with
/// <see cref="ModuleUnavailableException"/> when it was stopped or has failed, was never reached, or is gone for longer.
/// </summary>
public sealed class DependencyGate(DependencyWatch watch, DependencyWatcher watcher, SupervisorView supervisor, TimeProvider time)
{
    /// <summary>About as long as the module clients' retries last: longer than any restart.</summary>
    public static readonly TimeSpan RideOut = TimeSpan.FromSeconds(15);

    public async ValueTask ThrowIfDownAsync(string module, CancellationToken cancellationToken)
    {
        if (!watch.IsWatched(module))
            return;
        watcher.Ensure(module);
        var status = watch.Get(module);
        if (status.State == WatchedState.NotSeen)
            status = await watch.WaitSeenAsync(module, DependencyWatcher.FirstAnswerTimeout + TimeSpan.FromMilliseconds(200), cancellationToken);
        if (status.State != WatchedState.Unreachable)
            return;
        if (status.LastReachableAt is null)
            throw new ModuleUnavailableException(module, $"not running: never reached ({status.Detail})");
        var reported = await supervisor.GetAsync(module, cancellationToken);
        if (reported?.State is ModuleState.Stopped)
            throw new ModuleUnavailableException(module, $"not running: the supervisor reports it stopped ({status.Detail})");
        if (reported?.State is ModuleState.Failed)
            throw new ModuleUnavailableException(module,
                $"not running: the supervisor reports it failed ({reported.FailureReason}; {status.Detail})");
        if (reported is not null)
            return;
        var gone = time.GetUtcNow() - status.LastReachableAt.Value;
        if (gone > RideOut)
            throw new ModuleUnavailableException(module, string.Create(CultureInfo.InvariantCulture,
                $"not reached for {gone.TotalSeconds:0} s ({status.Detail})"));
    }
}
