using Cheshire.Modules;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Runs a module's fast tests (module.json "tests": a test project and an xunit query filter) against a build in the
/// build tree: builds the test project there (the module comes with it, already built), then runs the test assembly
/// with the filter and reads the TRX it writes.
/// </summary>
public sealed class ModuleTestRunner(ReloadSettings settings, SourceTree sources, ModuleBuilder builder)
{
    /// <summary>Builds and runs the tests; the caller holds the build tree's lock.</summary>
    public async Task<TestOutcome> RunAsync(ModuleDescriptor module, ModuleBuild build, CancellationToken cancellationToken)
    {
        if (module.Tests is not { } tests || sources.TestProjectOf(module) is not { } project)
            return new TestOutcome(true, "no tests declared in module.json", 0, [], TimeSpan.Zero, TimeSpan.Zero);
        if (!File.Exists(project))
            return TestOutcome.NotRun($"the test project {project} does not exist", TimeSpan.Zero);

        var built = await builder.BuildAsync(module, project, build, "test-build", cancellationToken);
        if (!built.Succeeded)
            return TestOutcome.NotRun($"the tests do not build: {BuildErrors.Summary(built)}", built.Elapsed);

        var assembly = Path.Combine(builder.OutputOf(project), Path.GetFileNameWithoutExtension(project) + ".dll");
        var trx = Path.Combine(builder.LogsDirectory, $"{module.Name}-{build.Number}-tests.trx");
        if (File.Exists(trx))
            File.Delete(trx);
        var run = await DotnetCommand.RunAsync(["exec", assembly, "-filter", tests.Filter, "-trx", trx, "-noColor"],
            Path.GetDirectoryName(assembly)!, Path.Combine(builder.LogsDirectory, $"{module.Name}-{build.Number}-tests.log"),
            settings.TestTimeout, cancellationToken);
        if (!File.Exists(trx))
            return new TestOutcome(false, $"the test run wrote no results (exit code {run.ExitCode}): {run.Tail(5)}", 0, [], built.Elapsed, run.Elapsed);

        var (total, failures) = TrxResults.Read(trx);
        if (total == 0)
            return new TestOutcome(false, $"the filter {tests.Filter} matched no tests in {Path.GetFileName(project)}", 0, [], built.Elapsed, run.Elapsed);
        if (failures.Count > 0)
            return new TestOutcome(false, $"{failures.Count} of {total} tests failed: {string.Join(", ", failures.Select(f => f.Name))}",
                total, failures, built.Elapsed, run.Elapsed);
        if (!run.Succeeded)
            return new TestOutcome(false, $"the test run exited with code {run.ExitCode}: {run.Tail(5)}", total, [], built.Elapsed, run.Elapsed);
        return new TestOutcome(true, $"{total} tests passed", total, [], built.Elapsed, run.Elapsed);
    }
}
