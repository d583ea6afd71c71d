using Cheshire.Deploy.Tests.Manifests;

namespace Cheshire.Deploy.Tests.Swarm;

/// <summary>The docker command, for what the engine's API client has no call for (stacks) or a user types (swarm init).</summary>
public static class DockerCli
{
    public static Task<(int Exit, string Output, string Error)> TryAsync(params string[] arguments) => Kustomize.RunAsync("docker", arguments);

    /// <summary>Runs docker; a failure throws with its error output.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var (exit, output, error) = await TryAsync(arguments);
        return exit == 0 ? output.Trim() : throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed ({exit}): {error.Trim()}");
    }
}
