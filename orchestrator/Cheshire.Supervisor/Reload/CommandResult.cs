namespace Cheshire.Supervisor.Reload;

/// <summary>
/// How a dotnet command ended: its exit code, its output (stdout and stderr interleaved) and how long it took; or that it
/// was stopped at its time limit (<see cref="TimedOutAfter"/>), its output so far kept.
/// </summary>
public sealed record CommandResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The time limit the command ran into and was killed at; null when it ended by itself.</summary>
    public TimeSpan? TimedOutAfter { get; init; }

    /// <summary>Where the command's output is.</summary>
    public string Log { get; init; } = "";

    public bool Succeeded => ExitCode == 0 && TimedOutAfter is null;

    /// <summary>"did not finish within N s (log: FILE)", for a command that ran into its time limit.</summary>
    public string TimeoutReason =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"did not finish within {TimedOutAfter?.TotalSeconds:0.#} s (log: {Log})");

    /// <summary>The last <paramref name="lines"/> non-empty lines of the output.</summary>
    public string Tail(int lines) =>
        string.Join('\n', Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(lines));
}
