namespace Cheshire.Supervisor.Reload;

/// <summary>How a dotnet command ended: its exit code, its output (stdout and stderr interleaved) and how long it took.</summary>
public sealed record CommandResult(int ExitCode, string Output, TimeSpan Elapsed)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The last <paramref name="lines"/> non-empty lines of the output.</summary>
    public string Tail(int lines) =>
        string.Join('\n', Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(lines));
}
