using System.Diagnostics;
using Aspire.Hosting.ApplicationModel;
using Cheshire.Modules;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Restarts modules on a source change. A change under a module's project folder or a lib it references (watched by
/// <see cref="SourceWatcher"/>) rebuilds every watching module that uses it, in dependency order, one at a time: build
/// into a fresh versioned folder while the old build keeps serving, run the module's fast tests, and only if both pass
/// switch the module's resource to the new build and restart it. A failed build or test leaves the old build running;
/// the reason goes to the log, the module's console on the dashboard and the Modules API (<see cref="ModuleReloadState"/>).
/// Dependents are not restarted. Also runs Modules.Test.
/// </summary>
public sealed partial class ModuleReloader(
    ModuleGraph graph,
    ModuleSupervisor supervisor,
    SourceTree sources,
    SourceWatcher watcher,
    ModuleBuilder builder,
    ModuleTestRunner tests,
    ModuleBuilds builds,
    ReloadSettings settings,
    ResourceLoggerService resourceLogs,
    TimeProvider time,
    ILogger<ModuleReloader> logger) : BackgroundService
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };

    private readonly Dictionary<string, ModuleReloadState> _states =
        graph.Modules.ToDictionary(m => m.Name, m => new ModuleReloadState(m.Watch && settings.Watch));

    public ModuleReloadState StateOf(string module) => _states[module];

    public ModuleBuild? CurrentBuild(string module) => builds.Current(module);

    public string TestProjectOf(ModuleDescriptor module) => sources.TestProjectOf(module) ?? "";

    /// <summary>Turns watching on or off for a module (all its instances).</summary>
    public void SetWatch(string module, bool on)
    {
        var state = _states[module];
        lock (state.Gate)
            state.Watch = on;
        LogWatch(logger, module, on ? "on" : "off");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        watcher.Start();
        LogWatching(logger, sources.Root, string.Join(", ", _states.Where(s => s.Value.Watch).Select(s => s.Key)));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = await watcher.NextBatchAsync(stoppingToken);
                foreach (var (module, files) in sources.Affected(changed))
                {
                    var state = _states[module.Name];
                    bool watching;
                    lock (state.Gate)
                    {
                        watching = state.Watch;
                        if (!watching)
                        {
                            state.IgnoredChangeAt = time.GetUtcNow();
                            state.IgnoredChanges++;
                        }
                    }
                    if (watching)
                        await ReloadSafelyAsync(module, files, stoppingToken);
                    else
                        LogIgnored(logger, module.Name, files.Count);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task ReloadSafelyAsync(ModuleDescriptor module, IReadOnlyList<string> changed, CancellationToken cancellationToken)
    {
        try
        {
            await ReloadAsync(module, changed, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One reload that cannot finish (a build that timed out, a folder that cannot be written) must not end watching.
            LogReloadError(logger, e, module.Name);
            var state = _states[module.Name];
            lock (state.Gate)
                state.Phase = ReloadPhase.Idle;
        }
    }

    /// <summary>Builds, tests and (if both pass) restarts the module on the new build; reports how it went.</summary>
    public async Task<ReloadReport> ReloadAsync(ModuleDescriptor module, IReadOnlyList<string> changed, CancellationToken cancellationToken)
    {
        var state = _states[module.Name];
        using var tree = await builder.LockAsync(cancellationToken);
        var started = time.GetUtcNow();
        var previous = builds.Current(module.Name);
        var build = builds.Next(module.Name, started);
        var report = new ReloadReport
        {
            Result = ReloadResult.BuildFailed, Reason = "", BuildId = build.Id, PreviousBuildId = previous?.Id ?? "",
            StartedAt = started, Changed = changed, Log = Path.Combine(builder.LogsDirectory, $"{module.Name}-{build.Number}-build.log"),
        };
        state.Enter(ReloadPhase.Building);
        Log(module, l => LogReloading(l, module.Name, build.Id, string.Join(", ", changed.Take(5))));

        var built = await builder.BuildAsync(module, build, "build", changed, cancellationToken);
        report = report with { BuildTime = built.Elapsed };
        if (!built.Succeeded)
            return Finish(module, state, report with { Result = ReloadResult.BuildFailed, Reason = $"build failed: {BuildErrors.Summary(built)}" });
        builder.Snapshot(module, build);

        state.Enter(ReloadPhase.Testing);
        var tested = await tests.RunAsync(module, build, "", cancellationToken);
        report = report with { TestTime = tested.TestTime, Failures = tested.Failures };
        if (!tested.Passed)
            return Finish(module, state, report with { Result = ReloadResult.TestsFailed, Reason = $"tests failed: {tested.Summary}" });
        tree.Dispose(); // the restart does not need the build tree

        state.Enter(ReloadPhase.Restarting);
        var restart = Stopwatch.StartNew();
        builds.Use(module.Name, build);
        var failure = await RestartAsync(module, cancellationToken);
        if (failure is not null)
        {
            builds.Use(module.Name, previous);
            var back = await RestartAsync(module, cancellationToken);
            return Finish(module, state, report with
            {
                Result = ReloadResult.RestartFailed, RestartTime = restart.Elapsed,
                Reason = $"the new build did not come up: {failure}; {(back is null ? "the old build runs again" : $"the old build did not come up either: {back}")}",
            });
        }
        builds.Prune(module.Name);
        return Finish(module, state, report with
        {
            Result = ReloadResult.Reloaded, RestartTime = restart.Elapsed, Reason = $"reloaded on build {build.Id}; {tested.Summary}",
        });
    }

    /// <summary>Runs the module's tests against its current sources (Modules.Test): builds them in the build tree first.</summary>
    public async Task<TestOutcome> TestAsync(ModuleDescriptor module, CancellationToken cancellationToken)
    {
        // The build id of a test-only build is the current one, so that the tree's module output stays as it is.
        var outcome = await tests.OnDemandAsync(module, builds.Current(module.Name) ?? new ModuleBuild(0, "test", ""), cancellationToken);
        LogTested(logger, module.Name, outcome.Summary);
        return outcome;
    }

    /// <summary>Restarts every running instance on the current build and waits until each answers /health; null when they do.</summary>
    private async Task<string?> RestartAsync(ModuleDescriptor module, CancellationToken cancellationToken)
    {
        foreach (var instance in supervisor.Modules.Where(m => m.Descriptor.Name == module.Name))
        {
            SupervisionState current;
            lock (instance.Gate)
                current = instance.State;
            try
            {
                if (current is SupervisionState.Failed)
                    await supervisor.StartAsync(instance, cancellationToken);
                else if (current is not SupervisionState.Stopped)
                    await supervisor.RestartAsync(instance, cancellationToken);
                else
                    continue; // stopped on purpose: it starts on the new build when it is started
                if (await WaitHealthyAsync(instance, cancellationToken) is { } failure)
                    return $"{instance.Name}: {failure}";
            }
            catch (Exception e) when (e is ModuleCommandException or TimeoutException)
            {
                return $"{instance.Name}: {e.Message}";
            }
        }
        return null;
    }

    private async Task<string?> WaitHealthyAsync(SupervisedModule instance, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var last = "not running";
        while (deadline.Elapsed < settings.HealthyTimeout)
        {
            string? url;
            SupervisionState state;
            lock (instance.Gate)
            {
                state = instance.State;
                url = instance.Launched ? instance.Url("http") : null;
            }
            if (state is SupervisionState.Failed or SupervisionState.Restarting)
                return $"it {(state is SupervisionState.Failed ? "failed" : "crashed")}: {instance.FailureReason}";
            if (state is SupervisionState.Running && url is not null)
            {
                try
                {
                    using var response = await Http.GetAsync(url.TrimEnd('/') + "/health", cancellationToken);
                    if (response.IsSuccessStatusCode)
                        return null;
                    last = $"/health answered {(int)response.StatusCode}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    last = $"/health did not answer: {e.Message}";
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken);
        }
        return $"not healthy within {settings.HealthyTimeout.TotalSeconds:0} s ({last})";
    }

    private ReloadReport Finish(ModuleDescriptor module, ModuleReloadState state, ReloadReport report)
    {
        report = state.Finish(report with { FinishedAt = time.GetUtcNow() });
        if (report.Result == ReloadResult.Reloaded)
            Log(module, l => LogReloaded(l, module.Name, report.BuildId, report.BuildTime.TotalSeconds, report.TestTime.TotalSeconds,
                report.RestartTime.TotalSeconds));
        else
            Log(module, l => LogNotReloaded(l, module.Name, report.Result, report.PreviousBuildId is "" ? "the checkout's build" : report.PreviousBuildId,
                report.Reason, report.Log));
        return report;
    }

    /// <summary>To the AppHost's log and to each instance's console log on the dashboard.</summary>
    private void Log(ModuleDescriptor module, Action<ILogger> write)
    {
        write(logger);
        foreach (var instance in supervisor.Modules.Where(m => m.Descriptor.Name == module.Name))
            write(resourceLogs.GetLogger(instance.Name));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Root} for changes to modules: {Modules}")]
    private static partial void LogWatching(ILogger logger, string root, string modules);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module}: watch {State}")]
    private static partial void LogWatch(ILogger logger, string module, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module}: {Count} changed files ignored (watch off)")]
    private static partial void LogIgnored(ILogger logger, string module, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module}: building {BuildId} after changes to {Files}")]
    private static partial void LogReloading(ILogger logger, string module, string buildId, string files);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Module {Module} reloaded on build {BuildId} (build {BuildSeconds:0.0} s, tests {TestSeconds:0.0} s, restart {RestartSeconds:0.0} s)")]
    private static partial void LogReloaded(ILogger logger, string module, string buildId, double buildSeconds, double testSeconds, double restartSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module {Module} not reloaded ({Result}), {Previous} keeps running: {Reason} (log: {Log})")]
    private static partial void LogNotReloaded(ILogger logger, string module, ReloadResult result, string previous, string reason, string log);

    [LoggerMessage(Level = LogLevel.Information, Message = "Module {Module} tests: {Summary}")]
    private static partial void LogTested(ILogger logger, string module, string summary);

    [LoggerMessage(Level = LogLevel.Error, Message = "Module {Module}: the reload could not finish")]
    private static partial void LogReloadError(ILogger logger, Exception exception, string module);
}
