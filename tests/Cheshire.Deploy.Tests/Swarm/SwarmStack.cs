using System.Text;
using Cheshire.Testing;

namespace Cheshire.Deploy.Tests.Swarm;

/// <summary>The rehearsal's stack on the local swarm: deployed from deploy/swarm-stack.sh's file, scaled, removed with all it made.</summary>
public sealed class SwarmStack : IAsyncDisposable
{
    public const string Name = "cheshire-rehearsal";
    private const string StackLabel = "label=com.docker.stack.namespace=" + Name;

    public static string Service(string module) => $"{Name}_{module}";

    /// <summary>Deploys with the images of the local engine: no registry is asked for them.</summary>
    public static async Task<SwarmStack> DeployAsync(string stackFile)
    {
        var stack = new SwarmStack();
        try
        {
            await DockerCli.RunAsync("stack", "deploy", "--resolve-image", "never", "--compose-file", stackFile, Name);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public static Task ScaleAsync(params (string Module, int Replicas)[] scales) =>
        DockerCli.RunAsync(["service", "scale", "--detach", .. scales.Select(s => $"{Service(s.Module)}={s.Replicas}")]);

    /// <summary>The containers of <paramref name="module"/>'s running tasks.</summary>
    public static async Task<IReadOnlyList<string>> RunningAsync(string module) =>
        (await DockerCli.RunAsync("ps", "--quiet", "--no-trunc", "--filter", "label=com.docker.swarm.service.name=" + Service(module),
            "--filter", "status=running")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The stack's tasks and the warnings and errors each container logged last: what a failed test shows.</summary>
    public static async Task<string> DescribeAsync()
    {
        var text = new StringBuilder((await DockerCli.TryAsync("stack", "ps", Name, "--no-trunc", "--format", "{{.Name}} {{.CurrentState}} {{.Error}}")).Output);
        foreach (var container in (await DockerCli.TryAsync("ps", "-aq", "--filter", StackLabel)).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var (_, output, error) = await DockerCli.TryAsync("logs", "--tail", "200", container);
            var lines = (output + error).Split('\n');
            var problems = lines.Select((line, i) => (line, i))
                .Where(l => l.line.StartsWith("warn:", StringComparison.Ordinal) || l.line.StartsWith("fail:", StringComparison.Ordinal))
                .TakeLast(4)
                .Select(l => l.line + " " + (l.i + 1 < lines.Length ? lines[l.i + 1].Trim() : ""));
            text.AppendLine($"container {container[..12]}:");
            foreach (var line in problems) text.AppendLine("  " + line);
        }
        return text.ToString();
    }

    /// <summary>Removes the stack, its containers, networks and volumes, left by this run or a killed earlier one.</summary>
    public static async Task RemoveLeftoverAsync()
    {
        if (await LocalSwarm.StateAsync() == "active") await DockerCli.TryAsync("stack", "rm", Name);
        try
        {
            await Eventually.TrueAsync(async () => (await DockerCli.RunAsync("ps", "-aq", "--filter", StackLabel)).Length == 0,
                TimeSpan.FromSeconds(60), "the stack's containers gone");
        }
        catch (TimeoutException)
        {
            await DockerCli.TryAsync(["rm", "--force", "--volumes", .. (await DockerCli.RunAsync("ps", "-aq", "--filter", StackLabel)).Split('\n')]);
        }
        foreach (var kind in new[] { "network", "volume" })
        {
            var left = (await DockerCli.RunAsync(kind, "ls", "-q", "--filter", StackLabel)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (left.Length > 0) await DockerCli.TryAsync([kind, "rm", .. left]);
        }
    }

    public async ValueTask DisposeAsync() => await RemoveLeftoverAsync();
}
