using Cheshire.Modules;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Runs a module's fast tests (module.json "tests": a test project and an xunit query filter) against a build in the
/// build tree (the test project built there, with the module: see <see cref="ModuleBuilder.ProjectToBuild"/>): runs the
/// test assembly with the filter and reads the TRX it writes.
/// </summary>
public sealed class ModuleTestRunner(ReloadSettings settings, SourceTree sources, ModuleBuilder builder)
{
    /// <summary>
    /// Modules.Test: builds the module and its tests from their current sources in the build tree (under its lock) and
    /// runs them. <paramref name="build"/> is the module's current build, so that the tree's output stays as it is.
    /// </summary>
    public async Task<TestOutcome> OnDemandAsync(ModuleDescriptor module, ModuleBuild build, CancellationToken cancellationToken)
    {
        using var tree = await builder.LockAsync(cancellationToken);
        var built = await builder.BuildAsync(module, build, "ondemand-build", [], cancellationToken);
        if (!built.Succeeded)
            return TestOutcome.NotRun($"build failed: {BuildErrors.Summary(built)}", built.Elapsed);
        return await RunAsync(module, build, "ondemand-", cancellationToken) with { BuildTime = built.Elapsed };
    }

    /// <summary>
    /// Runs the tests; the caller holds the build tree's lock. Logs go to DATADIR/builds/logs/NAME-N-PREFIXtests.*
    /// (<paramref name="logPrefix"/>: "" for a reload's, "ondemand-" for Modules.Test's).
    /// </summary>
    public async Task<TestOutcome> RunAsync(ModuleDescriptor module, ModuleBuild build, string logPrefix, CancellationToken cancellationToken)
    {
        if (module.Tests is not { } tests || sources.TestProjectOf(module) is not { } project)
            return new TestOutcome(true, "no tests declared in module.json", 0, [], TimeSpan.Zero, TimeSpan.Zero);
        if (!File.Exists(project))
            return TestOutcome.NotRun($"the test project {project} does not exist", TimeSpan.Zero);

        var assembly = Path.Combine(builder.OutputOf(project), Path.GetFileNameWithoutExtension(project) + ".dll");
        var trx = Path.Combine(builder.LogsDirectory, $"{module.Name}-{build.Number}-{logPrefix}tests.trx");
        if (File.Exists(trx))
            File.Delete(trx);
        var run = await DotnetCommand.RunAsync(["exec", assembly, "-filter", tests.Filter, "-trx", trx, "-noColor"],
            Path.GetDirectoryName(assembly)!, Path.Combine(builder.LogsDirectory, $"{module.Name}-{build.Number}-{logPrefix}tests.log"),
            settings.TestTimeout, cancellationToken);
        if (run.TimedOutAfter is not null)
            return new TestOutcome(false, $"the test run {run.TimeoutReason}", 0, [], TimeSpan.Zero, run.Elapsed);
        if (!File.Exists(trx))
            return new TestOutcome(false, $"the test run wrote no results (exit code {run.ExitCode}): {run.Tail(5)}", 0, [], TimeSpan.Zero, run.Elapsed);

        var (total, failures) = TrxResults.Read(trx);
        if (total == 0)
            return new TestOutcome(false, $"the filter {tests.Filter} matched no tests in {Path.GetFileName(project)}", 0, [], TimeSpan.Zero, run.Elapsed);
        if (failures.Count > 0)
            return new TestOutcome(false, $"{failures.Count} of {total} tests failed: {string.Join(", ", failures.Select(f => f.Name))}",
                total, failures, TimeSpan.Zero, run.Elapsed);
        if (!run.Succeeded)
            return new TestOutcome(false, $"the test run exited with code {run.ExitCode}: {run.Tail(5)}", total, [], TimeSpan.Zero, run.Elapsed);
        return new TestOutcome(true, $"{total} tests passed", total, [], TimeSpan.Zero, run.Elapsed);
    }
}
