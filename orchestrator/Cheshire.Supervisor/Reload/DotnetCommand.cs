using System.Diagnostics;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Runs the dotnet CLI (build, a test assembly) as a child of the AppHost, without the AppHost's own MSBuild, Aspire and
/// test-platform environment (which would make the child build as the AppHost's build or serve on its URLs).
/// </summary>
public static class DotnetCommand
{
    private static readonly string[] StrippedPrefixes =
        ["MSBUILD", "MSBuild", "ASPNETCORE_", "ASPIRE_", "DOTNET_DASHBOARD_", "DOTNET_RESOURCE_SERVICE_", "DOTNET_LAUNCH_PROFILE",
         "OTEL_", "DCP_", "TESTINGPLATFORM_", "VSTEST_", "Cheshire__", "services__",
         // (MSBUILDDISABLENODEREUSE goes with MSBUILD above.) Builds say whether they use the compiler server (ModuleBuilder).
         "UseSharedCompilation"];

    /// <summary>The dotnet host the AppHost runs on (DOTNET_HOST_PATH), else dotnet on the PATH.</summary>
    public static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>
    /// Runs dotnet with <paramref name="arguments"/>, its output (stdout and stderr) written to <paramref name="logFile"/>.
    /// A command still running after <paramref name="timeout"/> is killed (with its children) and reported as timed out.
    /// A file rather than a pipe: a build leaves compiler servers behind that would hold a pipe open.
    /// </summary>
    public static async Task<CommandResult> RunAsync(IEnumerable<string> arguments, string workingDirectory, string logFile,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" >\"$CHESHIRE_COMMAND_LOG\" 2>&1 </dev/null");
        info.ArgumentList.Add(Host);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var key in info.Environment.Keys.Where(k => StrippedPrefixes.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
            info.Environment.Remove(key);
        info.Environment["CHESHIRE_COMMAND_LOG"] = logFile;
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{Host} could not be started.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        TimeSpan? timedOut = null;
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
                throw;
            timedOut = timeout;
            await process.WaitForExitAsync(CancellationToken.None);
        }
        var output = File.Exists(logFile) ? await File.ReadAllTextAsync(logFile, CancellationToken.None) : "";
        return new CommandResult(process.ExitCode, output, watch.Elapsed) { TimedOutAfter = timedOut, Log = logFile };
    }
}
