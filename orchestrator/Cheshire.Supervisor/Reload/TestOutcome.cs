namespace Cheshire.Supervisor.Reload;

/// <summary>A failed test: its full name and what it said (the assertion's message, the exception).</summary>
public sealed record TestFailure(string Name, string Message);

/// <summary>What a module's tests came to: passed, or why not (build errors, the failures).</summary>
public sealed record TestOutcome(bool Passed, string Summary, int Total, IReadOnlyList<TestFailure> Failures,
    TimeSpan BuildTime, TimeSpan TestTime)
{
    public static TestOutcome NotRun(string summary, TimeSpan buildTime) => new(false, summary, 0, [], buildTime, TimeSpan.Zero);
}
