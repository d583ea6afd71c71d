using System.Diagnostics;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>Runs the tools a user runs on the deploy folder: <c>kubectl kustomize</c> and the deploy scripts.</summary>
public static class Kustomize
{
    public static string DeployDirectory { get; } = Path.Combine(Cheshire.Testing.ModuleProcess.RepositoryRoot, "deploy");

    /// <summary>kubectl on the PATH, or null.</summary>
    public static string? Kubectl { get; } = FindOnPath("kubectl");

    /// <summary>The YAML <c>kubectl kustomize deploy/DIR</c> prints; skips the test when kubectl is not installed.</summary>
    public static async Task<string> RenderAsync(string directory)
    {
        if (Kubectl is null)
            Assert.Skip("kubectl is not installed (the Kubernetes manifests are rendered with `kubectl kustomize`)");
        var (exit, output, error) = await RunAsync(Kubectl, ["kustomize", Path.Combine(DeployDirectory, directory)]);
        if (exit != 0)
            throw new InvalidOperationException($"kubectl kustomize deploy/{directory} failed ({exit}): {error}");
        return output;
    }

    public static async Task<(int Exit, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
}
