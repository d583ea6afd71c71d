using Cheshire.Deploy.Tests.Containers;
using Cheshire.Testing;

namespace Cheshire.Deploy.Tests.Swarm;

/// <summary>
/// Swarm mode on the local engine, left as it was found: a swarm this test makes (manager on loopback only, labelled
/// as the rehearsal's) is left again at the end; a swarm the engine was already in is used and kept. A swarm left behind
/// by a killed run of this test (its label) is left first.
/// </summary>
public sealed class LocalSwarm : IAsyncDisposable
{
    private const string GatewayBridge = "docker_gwbridge";
    private bool _madeHere;
    private bool _bridgeMadeHere;

    public static async Task<LocalSwarm> JoinAsync()
    {
        var swarm = new LocalSwarm();
        await SwarmStack.RemoveLeftoverAsync();
        if (await StateAsync() == "active")
        {
            var ours = await DockerCli.RunAsync("node", "inspect", "self", "--format", $"{{{{index .Spec.Labels \"{Leftovers.Label}\"}}}}");
            if (ours != "true") return swarm;
            await DockerCli.RunAsync("swarm", "leave", "--force");
            await DockerCli.TryAsync("network", "rm", GatewayBridge);
        }
        swarm._bridgeMadeHere = (await DockerCli.TryAsync("network", "inspect", GatewayBridge)).Exit != 0;
        swarm._madeHere = true;
        // The manager's and the nodes' traffic on loopback: nothing of the swarm listens on another address.
        var address = $"127.0.0.1:{FreePorts.Tcp()}";
        await DockerCli.RunAsync("swarm", "init", "--advertise-addr", address, "--listen-addr", address);
        try
        {
            var node = await DockerCli.RunAsync("info", "--format", "{{.Swarm.NodeID}}");
            await DockerCli.RunAsync("node", "update", "--label-add", Leftovers.Label + "=true", node);
            return swarm;
        }
        catch
        {
            await swarm.DisposeAsync();
            throw;
        }
    }

    public static Task<string> StateAsync() => DockerCli.RunAsync("info", "--format", "{{.Swarm.LocalNodeState}}");

    public async ValueTask DisposeAsync()
    {
        if (!_madeHere) return;
        await DockerCli.TryAsync("swarm", "leave", "--force");
        if (_bridgeMadeHere) await DockerCli.TryAsync("network", "rm", GatewayBridge);
    }
}
