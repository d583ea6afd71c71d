namespace Cheshire.Supervisor.Reload;

/// <summary>The errors of a failed build, as one short line for a status (the whole output is in the build's log).</summary>
public static class BuildErrors
{
    public const int Shown = 3;

    public static string Summary(CommandResult build)
    {
        if (build.TimedOutAfter is not null)
            return $"dotnet build {build.TimeoutReason}";
        var errors = build.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains(": error ", StringComparison.Ordinal))
            .Select(Shorten).Distinct().ToList();
        if (errors.Count == 0)
            return $"dotnet build exited with code {build.ExitCode}: {build.Tail(3)}";
        var shown = string.Join("; ", errors.Take(Shown));
        return errors.Count > Shown ? $"{shown} (and {errors.Count - Shown} more)" : shown;
    }

    /// <summary>"/src/services/dht/X.cs(3,5): error CS1002: ; expected [/src/.../Cheshire.Dht.csproj]" without the project.</summary>
    private static string Shorten(string line)
    {
        var project = line.LastIndexOf(" [", StringComparison.Ordinal);
        return project > 0 && line.EndsWith(']') ? line[..project] : line;
    }
}
