using Cheshire.Supervisor.Reload;

namespace Cheshire.Supervisor.Install;

/// <summary>A build of an installed module and its tests (null when the build failed), with the build's log.</summary>
public sealed record InstalledBuild(ModuleBuild Build, CommandResult Built, TestOutcome? Tested, string Log)
{
    public bool Passed => Built.Succeeded && Tested is { Passed: true };

    /// <summary>Why it did not pass: the compiler's errors, or the tests' summary with each failure's name and message.</summary>
    public string Failure(string module) => !Built.Succeeded
        ? $"{module} does not build: {BuildErrors.Summary(Built)} (log: {Log})"
        : $"{module} tests failed: {Tested?.Summary}" + string.Concat((Tested?.Failures ?? []).Select(f => $"; {f.Name}: {f.Message}"));
}
