using Cheshire.Styx.Client;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Images;
using DotNet.Testcontainers.Networks;
using DotNet.Testcontainers.Volumes;
using Grpc.Net.Client;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// One Cheshire node from the module images, laid out as the manifests lay it out: dht, mainline-dht, and the styx
/// "pod" (styx-provider and styx-client share styx-root's network namespace and its data volume, where their Unix
/// sockets live). Settings come from the manifests' settings files; keys from a folder like the node Secret.
/// </summary>
public sealed class ContainerNode : IAsyncDisposable
{
    private const string DataDirectory = "/var/lib/cheshire";
    private const string Tmpfs = "uid=10001,gid=10001,mode=0700";
    private readonly DockerEngine _engine;
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly Dictionary<string, IContainer> _containers = [];

    private ContainerNode(DockerEngine engine, string prefix)
    {
        _engine = engine;
        Prefix = prefix;
    }

    /// <summary>"node1-": the node's Services are node1-dht, node1-mainline-dht…</summary>
    public string Prefix { get; }

    public IContainer this[string module] => _containers[module];

    /// <param name="keys">A folder holding node.key and user.key, readable by the containers' group, as a mounted Secret is.</param>
    /// <param name="exports">The node's exports.json and the folder its exports live in (mounted at /srv/cheshire).</param>
    /// <param name="bootstrap">Other nodes' dht endpoints (host:port), as an operator lists them for a node outside the cluster.</param>
    public static async Task<ContainerNode> StartAsync(DockerEngine engine, INetwork network, string prefix, string keys,
        string exportsFile, string exportsFolder, IReadOnlyList<string> bootstrap, CancellationToken ct)
    {
        var node = new ContainerNode(engine, prefix);
        try
        {
            await node.StartAsync(network, keys, exportsFile, exportsFolder, bootstrap, ct);
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(INetwork network, string keys, string exportsFile, string exportsFolder,
        IReadOnlyList<string> bootstrap, CancellationToken ct)
    {
        var mainline = Module("mainline-dht", keys, dataOnTmpfs: true)
            .WithNetwork(network).WithNetworkAliases(Prefix + "mainline-dht");
        await StartAsync("mainline-dht", mainline, ct);

        // The dht's own volume (the StatefulSet's claim): kept when its container is killed and started again.
        var dhtState = await VolumeAsync("dht", ct);
        var dhtSettings = NodeSettings.For("dht", Prefix);
        for (var i = 0; i < bootstrap.Count; i++) dhtSettings[$"Dht__Bootstrap__{i + 1}"] = bootstrap[i];
        var dht = Module("dht", keys, dhtSettings, dataOnTmpfs: true)
            .WithNetwork(network).WithNetworkAliases(Prefix + "dht", Prefix + "dht-peers")
            .WithVolumeMount(dhtState, dhtSettings["Cheshire__InstanceDataDir"]);
        await StartAsync("dht", dht, ct);

        var data = await VolumeAsync("data", ct);
        var root = Module("styx-root", keys).WithNetwork(network).WithNetworkAliases(Prefix + "styx-root").WithVolumeMount(data, DataDirectory);
        var rootContainer = await StartAsync("styx-root", root, ct);
        var providerSettings = NodeSettings.For("styx-provider", Prefix);
        var provider = Module("styx-provider", keys, providerSettings)
            .WithCreateParameterModifier(p => (p.HostConfig ??= new()).NetworkMode = "container:" + rootContainer.Id)
            .WithVolumeMount(data, DataDirectory)
            .WithBindMount(exportsFile, providerSettings["Provider__ConfigFile"], AccessMode.ReadOnly)
            .WithBindMount(exportsFolder, "/srv/cheshire", AccessMode.ReadOnly);
        await StartAsync("styx-provider", provider, ct);
        var client = Module("styx-client", keys)
            .WithCreateParameterModifier(p => (p.HostConfig ??= new()).NetworkMode = "container:" + rootContainer.Id)
            .WithVolumeMount(data, DataDirectory);
        await StartAsync("styx-client", client, ct);
    }

    /// <param name="dataOnTmpfs">The data folder in memory, owned by the containers' user (an emptyDir in the manifests).</param>
    private ContainerBuilder Module(string module, string keys, IReadOnlyDictionary<string, string>? settings = null, bool dataOnTmpfs = false) =>
        new ContainerBuilder(DockerEngine.Image(module))
            .WithImagePullPolicy(PullPolicy.Never)
            .WithLabel(Leftovers.Label, Leftovers.Value)
            .WithName($"cheshire-rehearsal-{Prefix}{module}-{Guid.NewGuid().ToString("N")[..8]}")
            .WithEnvironment(settings ?? NodeSettings.For(module, Prefix))
            .WithBindMount(keys, "/run/secrets/cheshire", AccessMode.ReadOnly)
            .WithCreateParameterModifier(p =>
            {
                // As in the manifests: read-only root, no privilege escalation, every capability dropped.
                var host = p.HostConfig ??= new();
                host.ReadonlyRootfs = true;
                host.CapDrop = ["ALL"];
                host.SecurityOpt = ["no-new-privileges"];
                host.Tmpfs = new Dictionary<string, string> { ["/tmp"] = "" };
                if (dataOnTmpfs) host.Tmpfs[DataDirectory] = Tmpfs;
            });

    private async Task<IContainer> StartAsync(string module, ContainerBuilder builder, CancellationToken ct)
    {
        var container = builder.Build();
        _owned.Add(container);
        _containers[module] = container;
        await container.StartAsync(ct);
        return container;
    }

    /// <summary>A named volume owned by the containers' user, as fsGroup makes a claim writable in Kubernetes.</summary>
    private async Task<IVolume> VolumeAsync(string name, CancellationToken ct)
    {
        var volume = new VolumeBuilder().WithName($"cheshire-rehearsal-{Prefix}{name}-{Guid.NewGuid():N}").WithLabel(Leftovers.Label, Leftovers.Value).Build();
        _owned.Add(volume);
        await volume.CreateAsync(ct);
        await using var chown = new ContainerBuilder(DockerEngine.Image("dht"))
            .WithImagePullPolicy(PullPolicy.Never)
            .WithLabel(Leftovers.Label, Leftovers.Value)
            .WithEntrypoint("chown")
            .WithCommand("10001:10001", "/volume")
            .WithVolumeMount(volume, "/volume")
            .WithCreateParameterModifier(p =>
            {
                p.User = "0";
                (p.HostConfig ??= new()).NetworkMode = "none";
            })
            .Build();
        await chown.StartAsync(ct);
        var exit = await chown.GetExitCodeAsync(ct);
        if (exit != 0) throw new InvalidOperationException($"chown of volume {volume.Name} exited {exit}");
        return volume;
    }

    /// <summary>9P to the node's styx-root on its loopback port, as kubectl port-forward reaches it.</summary>
    public async Task<StyxFs> MountAsync(CancellationToken ct)
    {
        var stream = await ExecRelayStream.OpenAsync(_engine.Client, _containers["styx-root"].Id, 6666, ct);
        return await StyxFs.MountAsync(stream, uname: "cheshire", ct: ct);
    }

    /// <summary>A gRPC channel to <paramref name="module"/>'s gRPC port, each connection relayed inside its container.</summary>
    public GrpcChannel Channel(string module, int port) => ExecChannel.For(_engine.Client, _containers[module].Id, port);

    /// <summary>Each container's state and the last warnings and errors it logged: what a failed test shows.</summary>
    public async Task<string> DescribeAsync()
    {
        var text = new System.Text.StringBuilder();
        foreach (var (module, container) in _containers)
        {
            var (stdout, stderr) = await container.GetLogsAsync();
            var problems = (stdout + stderr).Split('\n')
                .Where(line => line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal) ||
                               line.StartsWith("crit:", StringComparison.Ordinal) || line.StartsWith("      ", StringComparison.Ordinal) && !line.TrimStart().StartsWith("at ", StringComparison.Ordinal))
                .TakeLast(12);
            text.AppendLine($"{Prefix}{module}: {container.State}");
            foreach (var line in problems) text.AppendLine("  " + line);
        }
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync();
            }
            catch (Exception e) when (e is Docker.DotNet.DockerApiException or IOException)
            {
                // already gone
            }
        }
    }
}
