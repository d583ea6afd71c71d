using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor;

/// <summary>
/// Watches every module resource through Aspire and restarts a module whose process ends unasked (a non-zero exit code,
/// a kill) with the resource command "start", after the backoff of its <see cref="Policy.RestartIntensity"/>; past the
/// restart intensity the module is marked failed and left stopped. Ends asked for (Stopping seen, Modules.Stop, the
/// AppHost stopping) and exits with code 0 are not crashes. Also carries out the Modules API's start, stop and restart.
/// </summary>
public sealed partial class ModuleSupervisor(
    IEnumerable<SupervisedModule> modules,
    ResourceNotificationService notifications,
    ResourceCommandService commands,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ModuleSupervisor> logger) : BackgroundService
{
    private static readonly string[] StartingStates =
        [KnownResourceStates.Starting, KnownResourceStates.Waiting, KnownResourceStates.Building];

    /// <summary>How long a stop may take: Aspire's own stop waits about 12 s before it kills the process.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, SupervisedModule> _modules = modules.ToDictionary(m => m.Name);

    /// <summary>The supervised resources in dependency order.</summary>
    public IReadOnlyList<SupervisedModule> Modules { get; } = [.. modules];

    public SupervisedModule? Find(string name) => _modules.GetValueOrDefault(name);

    /// <summary>How often the supervisor looks for a module whose launcher is gone (see <see cref="KillOrphansAsync"/>).</summary>
    public static readonly TimeSpan OrphanCheckInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var orphans = KillOrphansAsync(stoppingToken);
        try
        {
            await foreach (var update in notifications.WatchAsync(stoppingToken))
            {
                if (!_modules.TryGetValue(update.Resource.Name, out var module))
                    continue;
                try
                {
                    Observe(module, update.Snapshot);
                }
                catch (Exception e)
                {
                    // One bad update must not end the supervision of every module.
                    LogObserveFailed(e, module.Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await orphans;
    }

    /// <summary>
    /// A module whose `dotnet run` launcher is gone (killed) while the module runs on: Aspire does not see its end while
    /// the module holds the launcher's output, and could not stop it. It is killed, so the end shows, and a crash restart
    /// follows.
    /// </summary>
    private async Task KillOrphansAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(OrphanCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                foreach (var module in Modules)
                    lock (module.Gate)
                        if (module.Launched && module.Own is { IsAlive: true } own && module.Launcher is { IsAlive: false })
                        {
                            LogOrphan(module.Name, own.Id);
                            own.Kill();
                        }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Observe(SupervisedModule module, CustomResourceSnapshot snapshot)
    {
        var state = snapshot.State?.Text ?? "";
        lock (module.Gate)
        {
            if (state != module.AspireState)
                LogState(module.Name, state, snapshot.ExitCode);
            module.Snapshot = snapshot;
            module.AspireState = state;
            if (state == KnownResourceStates.Running)
            {
                module.Launched = true;
                module.State = SupervisionState.Running;
                module.FindOwnProcess();
            }
            else if (StartingStates.Contains(state))
            {
                module.Launched |= state == KnownResourceStates.Starting;
                if (module.State is not (SupervisionState.Failed or SupervisionState.Restarting) || module.Launched)
                    module.State = SupervisionState.Starting;
            }
            else if (state == KnownResourceStates.Stopping)
            {
                module.StopAsked = true;
            }
            else if (state == KnownResourceStates.NotStarted)
            {
                module.State = SupervisionState.Stopped;
            }
            else if (IsEnd(state) && module.Launched)
            {
                module.Launched = false;
                var orphan = module.ForgetOwnProcess();
                var asked = Ended(module, snapshot, state);
                var ended = module.Ended;
                module.Ended = null;
                if (orphan is null)
                    ended?.TrySetResult();
                else
                    module.Reaped = ReapAsync(module.Name, orphan, asked ? OrphanGrace : TimeSpan.Zero, ended);
            }
        }
    }

    private static bool IsEnd(string state) => KnownResourceStates.TerminalStates.Contains(state) || state is "Terminated";

    /// <summary>
    /// The module's process has ended (called once per process, under the module's gate); true when the end was asked
    /// for (or the exit clean), false for a crash.
    /// </summary>
    private bool Ended(SupervisedModule module, CustomResourceSnapshot snapshot, string state)
    {
        module.LastExitCode = snapshot.ExitCode;
        module.LastExitAt = snapshot.StopTimeStamp is { } stopped ? new DateTimeOffset(stopped, TimeSpan.Zero) : time.GetUtcNow();
        if (module.StopAsked || lifetime.ApplicationStopping.IsCancellationRequested || snapshot.ExitCode == 0)
        {
            module.StopAsked = false;
            // a restart's stop: dependents that ask see it coming back, not stopped
            module.State = module.RestartAsked ? SupervisionState.Starting : SupervisionState.Stopped;
            return true;
        }
        var cause = state == KnownResourceStates.FailedToStart ? "failed to start"
            : snapshot.ExitCode is { } code ? $"exited with code {code}" : $"ended ({state})";
        Crashed(module, cause);
        return false;
    }

    /// <summary>How long a module's own process may outlive its ended launcher on a stop (still shutting down) before it is killed.</summary>
    public static readonly TimeSpan OrphanGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The launcher (`dotnet run`) ended but the module's own process runs on, e.g. the wrapper was killed: it would keep
    /// the module's ports from the next start. Killed after <paramref name="grace"/>; then the end counts as seen.
    /// </summary>
    private async Task ReapAsync(string module, Processes.OwnProcess orphan, TimeSpan grace, TaskCompletionSource? ended)
    {
        try
        {
            var started = time.GetTimestamp();
            while (orphan.IsAlive && time.GetElapsedTime(started) < grace)
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
            if (orphan.IsAlive)
            {
                LogOrphan(module, orphan.Id);
                orphan.Kill();
                while (orphan.IsAlive && time.GetElapsedTime(started) < grace + TimeSpan.FromSeconds(5))
                    await Task.Delay(TimeSpan.FromMilliseconds(20), time, CancellationToken.None);
            }
        }
        finally
        {
            ended?.TrySetResult();
        }
    }

    private void Crashed(SupervisedModule module, string cause)
    {
        var decision = module.Intensity.OnCrash(cause);
        module.FailureReason = decision.Reason;
        if (!decision.Restart)
        {
            module.State = SupervisionState.Failed;
            LogFailed(module.Name, decision.Reason);
            return;
        }
        module.State = SupervisionState.Restarting;
        module.CancelPendingRestart();
        var pending = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        module.PendingRestart = pending;
        module.NextRestartAt = time.GetUtcNow() + decision.Delay;
        LogRestarting(module.Name, cause, decision.Delay.TotalMilliseconds);
        _ = RestartAfterAsync(module, decision.Delay, pending.Token);
    }

    private async Task RestartAfterAsync(SupervisedModule module, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, time, cancellationToken);
            Task reaped;
            lock (module.Gate)
            {
                if (cancellationToken.IsCancellationRequested || module.State != SupervisionState.Restarting)
                    return;
                module.Restarts++;
                module.NextRestartAt = null;
                reaped = module.Reaped;
            }
            await reaped.WaitAsync(cancellationToken);
            var result = await commands.ExecuteCommandAsync(module.Name, KnownResourceCommands.StartCommand, cancellationToken);
            if (!result.Success)
                lock (module.Gate)
                    Crashed(module, $"start failed: {result.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            lock (module.Gate)
                Crashed(module, $"start failed: {e.Message}");
        }
    }

    /// <summary>Starts a stopped or failed module, with a fresh restart budget; a running one is left as it is.</summary>
    public async Task StartAsync(SupervisedModule module, CancellationToken cancellationToken)
    {
        Task reaped;
        lock (module.Gate)
        {
            module.CancelPendingRestart();
            module.Intensity.Reset();
            module.StopAsked = false;
            module.FailureReason = "";
            if (module.Launched || StartingStates.Contains(AspireState(module)))
                return;
            module.State = SupervisionState.Starting;
            reaped = module.Reaped;
        }
        await reaped.WaitAsync(cancellationToken);
        await RunAsync(module, KnownResourceCommands.StartCommand, cancellationToken);
    }

    /// <summary>
    /// How long a module's own process has, after SIGTERM, to run its shutdown and end before it is killed. A module stops
    /// taking calls at SIGTERM, so this bounds how long a restart leaves it unavailable on its way down.
    /// </summary>
    public static readonly TimeSpan TerminateTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How long after the module's own process ended Aspire may take to see its launcher end.</summary>
    public static readonly TimeSpan EndSeenTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Stops a module and waits until its process has ended; it is not restarted until it is started again. The module's
    /// own process (known by its pid) is sent SIGTERM and given <see cref="TerminateTimeout"/> to end, then killed; its
    /// `dotnet run` launcher ends with it. Aspire's stop command (which signals the launcher and waits far longer) is
    /// the fallback, for a module whose own process is not known or whose end Aspire does not see.
    /// </summary>
    public async Task StopAsync(SupervisedModule module, CancellationToken cancellationToken)
    {
        Task ended;
        Processes.OwnProcess? own;
        lock (module.Gate)
        {
            module.CancelPendingRestart();
            if (!module.Launched)
            {
                if (module.State is SupervisionState.Restarting)
                    module.State = SupervisionState.Stopped;
                return;
            }
            module.StopAsked = true;
            module.Ended ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended = module.Ended.Task;
            own = module.FindOwnProcess() is { IsAlive: true } alive ? alive : null;
        }
        if (own is not null && await TerminateAsync(module.Name, own, cancellationToken))
        {
            try
            {
                await ended.WaitAsync(EndSeenTimeout, time, cancellationToken);
                return;
            }
            catch (TimeoutException)
            {
                LogEndNotSeen(module.Name, EndSeenTimeout.TotalSeconds);
            }
        }
        await RunAsync(module, KnownResourceCommands.StopCommand, cancellationToken);
        // The command returns when Aspire has seen the process end; the watch may not have yet, and a start before
        // it does would make that end look like a crash.
        await ended.WaitAsync(StopTimeout, time, cancellationToken);
    }

    /// <summary>SIGTERM, then SIGKILL past <see cref="TerminateTimeout"/>; true when the process has ended.</summary>
    private async Task<bool> TerminateAsync(string module, Processes.OwnProcess own, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (!own.Terminate())
            return !own.IsAlive;
        if (await own.WaitEndedAsync(TerminateTimeout, time, cancellationToken))
        {
            LogTerminated(module, own.Id, time.GetElapsedTime(started).TotalMilliseconds);
            return true;
        }
        LogKilled(module, own.Id, TerminateTimeout.TotalSeconds);
        own.Kill();
        return await own.WaitEndedAsync(TimeSpan.FromSeconds(5), time, cancellationToken);
    }

    /// <summary>Stops and starts a module, with a fresh restart budget (starts one that is not running).</summary>
    public async Task RestartAsync(SupervisedModule module, CancellationToken cancellationToken)
    {
        lock (module.Gate)
            module.RestartAsked = true;
        var started = time.GetTimestamp();
        try
        {
            await StopAsync(module, cancellationToken);
        }
        catch
        {
            lock (module.Gate)
                module.RestartAsked = false;
            throw;
        }
        var stopped = time.GetElapsedTime(started);
        try
        {
            await StartAsync(module, cancellationToken);
            LogRestarted(module.Name, stopped.TotalMilliseconds, (time.GetElapsedTime(started) - stopped).TotalMilliseconds);
        }
        catch
        {
            lock (module.Gate)
                if (module.State == SupervisionState.Starting && !module.Launched)
                    module.State = SupervisionState.Stopped; // stopped, and the start did not happen (cancelled, refused)
            throw;
        }
        finally
        {
            lock (module.Gate)
                module.RestartAsked = false;
        }
    }

    private string AspireState(SupervisedModule module) =>
        notifications.TryGetCurrentState(module.Name, out var current) ? current.Snapshot.State?.Text ?? "" : module.AspireState;

    private async Task RunAsync(SupervisedModule module, string command, CancellationToken cancellationToken)
    {
        var result = await commands.ExecuteCommandAsync(module.Name, command, cancellationToken);
        if (!result.Success)
            throw new ModuleCommandException($"{command} of {module.Name} failed: {result.Message ?? "no reason given"}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module {Module}: its process {ProcessId} outlived its `dotnet run` launcher; killing it")]
    private partial void LogOrphan(string module, int processId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module}: its process {ProcessId} ended {Milliseconds:0} ms after SIGTERM")]
    private partial void LogTerminated(string module, int processId, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module} restarting: stopped (its end seen by Aspire) in {StopMs:0} ms, start asked of Aspire in {StartMs:0} ms")]
    private partial void LogRestarted(string module, double stopMs, double startMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module {Module}: its process {ProcessId} did not end within {Seconds} s of SIGTERM; killing it")]
    private partial void LogKilled(string module, int processId, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module {Module}: its process ended but Aspire did not report it within {Seconds} s; asking Aspire to stop it")]
    private partial void LogEndNotSeen(string module, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Module {Module} is {State} (exit code {ExitCode})")]
    private partial void LogState(string module, string state, int? exitCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module {Module} {Cause}; restarting it in {DelayMs} ms")]
    private partial void LogRestarting(string module, string cause, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Supervising module {Module}: an update could not be handled")]
    private partial void LogObserveFailed(Exception exception, string module);

    [LoggerMessage(Level = LogLevel.Error, Message = "Module {Module} failed: {Reason}")]
    private partial void LogFailed(string module, string reason);
}
