using System.Collections.Concurrent;
using System.Diagnostics;
using Cheshire.Modules;
using Cheshire.Protos.Modules;
using Cheshire.Supervisor.Reload;
using ReloadResult = Cheshire.Supervisor.Reload.ReloadResult;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// What the node does with an installed module besides running it, as for its own modules: Modules.Test (the reload
/// pipeline's test runner on the installed sources), SetConfig (forwarded to the module's ModuleConfig), dependents,
/// and watching its installed sources: a change builds it into a fresh folder and runs its tests while the old build
/// serves; only when both pass does the module switch (stopped, started on the new build, healthy), else the old build
/// keeps running and the reason is reported as a built-in module's reload is (<see cref="ModuleReloadState"/>).
/// </summary>
public sealed partial class ModuleInstaller
{
    private readonly ConcurrentDictionary<string, ModuleReloadState> _reloads = new();
    private readonly ConcurrentDictionary<string, InstalledSourceWatcher> _watchers = new();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Modules.Test of an installed module: its tests built and run against its installed sources.</summary>
    public async Task<TestOutcome> TestAsync(InstalledProcess process, CancellationToken ct)
    {
        var outcome = await installed.Tests.OnDemandAsync(process.Descriptor, process.Build, ct);
        LogTested(logger, process.Descriptor.Name, outcome.Summary);
        return outcome;
    }

    /// <summary>The module's test project (its full path), or "" when it declares none.</summary>
    public string TestProjectOf(ModuleDescriptor module) => installed.TestProjectOf(module);

    /// <summary>Modules.SetConfig of an installed module: to its ModuleConfig service while its process runs.</summary>
    public Task<SetModuleConfigReply> SetConfigAsync(InstalledProcess process, SetModuleConfigRequest request, CancellationToken ct)
    {
        string? url;
        SupervisionState state;
        lock (process.Gate)
        {
            url = process.Process is { HasExited: false } ? process.GrpcUrl : null;
            state = url is null ? process.State : SupervisionState.Running;
        }
        return Config.ModuleConfigForwarder.SetAsync(process.Descriptor.Name, state, url, request, ct);
    }

    /// <summary>The installed modules that depend on or use the node's module <paramref name="module"/>.</summary>
    public IEnumerable<string> DependentsOf(string module) =>
        _running.Values.Where(p => p.Descriptor.DependsOn.Contains(module) || p.Descriptor.Uses.Contains(module))
            .Select(p => p.Descriptor.Name).Order(StringComparer.Ordinal);

    /// <summary>Modules.SetWatch of an installed module.</summary>
    public void SetWatch(InstalledProcess process, bool on)
    {
        if (!_reloads.TryGetValue(process.Descriptor.Name, out var state))
            throw new InstallException(StatusCode.FailedPrecondition, $"{process.Descriptor.Name} is not watched: its folder is gone.");
        lock (state.Gate)
            state.Watch = on;
        LogWatch(logger, process.Descriptor.Name, on ? "on" : "off");
    }

    /// <summary>Watches the installed module's folder; watching is on when module.json says so and the node's setting lets it.</summary>
    private void Track(ModuleDescriptor descriptor)
    {
        var name = descriptor.Name;
        _reloads.TryAdd(name, new ModuleReloadState(descriptor.Watch && reloadSettings.Watch));
        var watcher = new InstalledSourceWatcher(descriptor.Directory, reloadSettings.Debounce, files => OnChangedAsync(name, files));
        if (!_watchers.TryAdd(name, watcher))
            watcher.Dispose();
    }

    private void Untrack(string name)
    {
        if (_watchers.TryRemove(name, out var watcher))
            watcher.Dispose();
        _reloads.TryRemove(name, out _);
    }

    private async Task OnChangedAsync(string name, IReadOnlyList<string> files)
    {
        if (!_reloads.TryGetValue(name, out var state))
            return;
        lock (state.Gate)
        {
            if (!state.Watch)
            {
                state.IgnoredChangeAt = time.GetUtcNow();
                state.IgnoredChanges++;
                LogIgnored(logger, name, files.Count);
                return;
            }
        }
        try
        {
            await ReloadAsync(name, files, _stopping.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            // A reload that cannot finish (a build past its time limit, a folder that cannot be written) must not end watching.
            LogReloadError(logger, e, name);
            state.Enter(ReloadPhase.Idle);
        }
    }

    /// <summary>Builds and tests the installed module's sources; if both pass, switches it to the new build.</summary>
    public async Task<ReloadReport?> ReloadAsync(string name, IReadOnlyList<string> changed, CancellationToken ct)
    {
        await _installing.WaitAsync(ct);
        try
        {
            if (Find(name) is not { } old || !_reloads.TryGetValue(name, out var state))
                return null; // uninstalled meanwhile
            var descriptor = old.Descriptor;
            var started = time.GetUtcNow();
            state.Enter(ReloadPhase.Building);
            LogReloading(logger, name, string.Join(", ", changed.Take(5)));
            var result = await installed.BuildAndTestAsync(descriptor, "build", changed, started, ct);
            var report = new ReloadReport
            {
                Result = ReloadResult.BuildFailed, Reason = "", BuildId = result.Build.Id, PreviousBuildId = old.BuildId, StartedAt = started,
                Changed = [.. changed.Select(f => Path.GetRelativePath(descriptor.Directory, f))], Log = result.Log,
                BuildTime = result.Built.Elapsed, TestTime = result.Tested?.TestTime ?? TimeSpan.Zero, Failures = result.Tested?.Failures ?? [],
            };
            if (!result.Built.Succeeded)
                return Finish(state, name, report with { Reason = $"build failed: {BuildErrors.Summary(result.Built)}" });
            if (!result.Passed)
                return Finish(state, name, report with { Result = ReloadResult.TestsFailed, Reason = $"tests failed: {result.Tested!.Summary}" });

            state.Enter(ReloadPhase.Restarting);
            var restart = Stopwatch.StartNew();
            await old.StopAsync();
            var fresh = await StartAsync(descriptor, result.Build, old.OwnerUid, ct);
            if (await fresh.WaitHealthyAsync(reloadSettings.HealthyTimeout, ct) is { } failure)
            {
                await fresh.StopAsync();
                InstalledBuilder.Remove(result.Build.Directory);
                old.Start();
                var back = await old.WaitHealthyAsync(reloadSettings.HealthyTimeout, ct);
                return Finish(state, name, report with
                {
                    Result = ReloadResult.RestartFailed, RestartTime = restart.Elapsed,
                    Reason = $"the new build did not come up: {failure}; {(back is null ? "the old build runs again" : $"the old build did not come up either: {back}")}",
                });
            }
            _running[name] = fresh;
            installed.Builds.Prune(name);
            return Finish(state, name, report with
            {
                Result = ReloadResult.Reloaded, RestartTime = restart.Elapsed, Reason = $"reloaded on build {result.Build.Id}; {result.Tested!.Summary}",
            });
        }
        finally
        {
            _installing.Release();
        }
    }

    private ReloadReport Finish(ModuleReloadState state, string name, ReloadReport report)
    {
        report = state.Finish(report with { FinishedAt = time.GetUtcNow() });
        if (report.Result == ReloadResult.Reloaded)
            LogReloaded(logger, name, report.BuildId, report.BuildTime.TotalSeconds, report.TestTime.TotalSeconds, report.RestartTime.TotalSeconds);
        else
            LogNotReloaded(logger, name, report.Result, report.PreviousBuildId, report.Reason, report.Log);
        return report;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed module {Module} tests: {Summary}")]
    private static partial void LogTested(ILogger logger, string module, string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed module {Module}: watch {State}")]
    private static partial void LogWatch(ILogger logger, string module, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed module {Module}: {Count} changed files ignored (watch off)")]
    private static partial void LogIgnored(ILogger logger, string module, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Installed module {Module}: building after changes to {Files}")]
    private static partial void LogReloading(ILogger logger, string module, string files);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Installed module {Module} reloaded on build {BuildId} (build {BuildSeconds:0.0} s, tests {TestSeconds:0.0} s, restart {RestartSeconds:0.0} s)")]
    private static partial void LogReloaded(ILogger logger, string module, string buildId, double buildSeconds, double testSeconds, double restartSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Installed module {Module} not reloaded ({Result}), build {Previous} keeps running: {Reason} (log: {Log})")]
    private static partial void LogNotReloaded(ILogger logger, string module, ReloadResult result, string previous, string reason, string log);

    [LoggerMessage(Level = LogLevel.Error, Message = "Installed module {Module}: the reload could not finish")]
    private static partial void LogReloadError(ILogger logger, Exception exception, string module);
}
