using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Starting;

/// <summary>
/// Modules.Ensure: brings a module up on demand (an explicit-start module, or one that is stopped or failed). Its
/// dependencies (module.json dependsOn, recursively, every instance but spares) come first, in dependency order, each started if
/// it is not running and waited for until Aspire reports it healthy; then the module itself. A running, healthy module
/// is left as it is. One ensure at a time per resource, so two callers never race to start the same process.
/// </summary>
public sealed partial class ModuleStarter(
    ModuleSupervisor supervisor,
    ResourceNotificationService notifications,
    SupervisorSettings settings,
    TimeProvider time,
    ILogger<ModuleStarter> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new();

    /// <summary>The resources Ensure brings up for <paramref name="module"/>, in order: its dependencies', then its own.</summary>
    public IReadOnlyList<SupervisedModule> Plan(SupervisedModule module)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        void Need(string name)
        {
            if (!needed.Add(name)) return;
            var descriptor = supervisor.Modules.FirstOrDefault(m => m.Descriptor.Name == name)?.Descriptor;
            foreach (var dependency in descriptor?.DependsOn ?? []) Need(dependency);
        }
        foreach (var dependency in module.Descriptor.DependsOn) Need(dependency);
        // supervisor.Modules is in dependency order, so a dependency comes before whatever needs it; a dependency's spare
        // instances are not what dependents use
        return [.. supervisor.Modules.Where(m => needed.Contains(m.Descriptor.Name) && !m.Spare && m != module), module];
    }

    /// <summary>
    /// Ensures the module and its dependencies run and are healthy. Throws <see cref="ModuleCommandException"/> when a
    /// process ends while starting or Aspire refuses to start it, <see cref="ModuleStartTimeoutException"/> when one is
    /// not healthy within <see cref="SupervisorSettings.EnsureTimeout"/>.
    /// </summary>
    public async Task EnsureAsync(SupervisedModule module, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(settings.EnsureTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        SupervisedModule? current = null;
        try
        {
            foreach (var resource in Plan(module))
            {
                current = resource;
                await EnsureOneAsync(resource, module, linked.Token);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var waited = current is null ? "" : current == module ? "" : $" (waiting for its dependency {current.Name})";
            throw new ModuleStartTimeoutException(
                $"{module.Name} was not healthy within {settings.EnsureTimeout.TotalSeconds:0} s{waited}; " +
                $"{current?.Name ?? module.Name} is {Describe(current ?? module)}.");
        }
    }

    private async Task EnsureOneAsync(SupervisedModule resource, SupervisedModule target, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(resource.Name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            var watch = new StartWatch();
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            // subscribed before the start, so the process's start and a quick end are both seen
            var waiting = notifications.WaitForResourceAsync(resource.Name, watch.IsDone, stopWaiting.Token);
            ResourceEvent done;
            try
            {
                bool start;
                lock (resource.Gate)
                    start = resource.State is SupervisionState.Stopped or SupervisionState.Failed or SupervisionState.Restarting;
                if (start)
                {
                    LogStarting(resource.Name, target.Name);
                    await supervisor.StartAsync(resource, cancellationToken);
                }
                done = await waiting;
            }
            finally
            {
                // a start that failed leaves the wait behind: end it rather than leave it to the caller's token
                await stopWaiting.CancelAsync();
                await waiting.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            if (!watch.Healthy)
                throw new ModuleCommandException(resource == target
                    ? $"{resource.Name} {Ended(done.Snapshot)} while starting."
                    : $"{target.Name} cannot start: its dependency {resource.Name} {Ended(done.Snapshot)} while starting.");
        }
        finally
        {
            gate.Release();
        }
    }

    private static string Ended(CustomResourceSnapshot snapshot) =>
        snapshot.State?.Text == KnownResourceStates.FailedToStart ? "failed to start"
        : snapshot.ExitCode is { } code ? $"exited with code {code}"
        : $"ended ({snapshot.State?.Text})";

    private string Describe(SupervisedModule module)
    {
        var health = notifications.TryGetCurrentState(module.Name, out var current) ? current.Snapshot.HealthStatus : null;
        lock (module.Gate)
            return $"{module.State.ToString().ToLowerInvariant()} ({module.AspireState}), health {health?.ToString() ?? "unknown"}";
    }

    /// <summary>
    /// Follows one resource's snapshots: done when it runs and Aspire reports it healthy, or when a process that was
    /// seen starting has ended (a state from before the start, e.g. the last crash's Exited, does not count).
    /// </summary>
    private sealed class StartWatch
    {
        private bool _launched;

        public bool Healthy { get; private set; }

        public bool IsDone(ResourceEvent update)
        {
            var state = update.Snapshot.State?.Text;
            if (state == KnownResourceStates.Running)
            {
                _launched = true;
                Healthy = update.Snapshot.HealthStatus == HealthStatus.Healthy;
                return Healthy;
            }
            if (state == KnownResourceStates.Starting)
            {
                _launched = true;
                return false;
            }
            return _launched && (KnownResourceStates.TerminalStates.Contains(state) || state is "Terminated");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting module {Module} (ensuring {Target})")]
    private partial void LogStarting(string module, string target);
}
