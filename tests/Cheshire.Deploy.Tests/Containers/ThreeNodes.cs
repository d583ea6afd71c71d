using Cheshire.Deploy.Tests.Manifests;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Networks;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// Three nodes of one user from the module images on an internal Docker network (nothing leaves it). Node 1 exports
/// /alice/node1 (a folder holding hello.txt); nodes 2 and 3 export nothing. Every node has its own node key and the
/// same user key, made by deploy/node-secret.sh; nodes 2 and 3 bootstrap their dht through node 1's.
/// </summary>
public sealed class ThreeNodes : IAsyncLifetime
{
    public const string ExportedPath = "alice/node1";
    public const string ExportedText = "hello from node 1\n";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-rehearsal-");
    private INetwork? _network;

    public DockerEngine? Engine { get; private set; }
    public List<ContainerNode> Nodes { get; } = [];

    public async ValueTask InitializeAsync()
    {
        Engine = await DockerEngine.StartAsync();
        if (Engine.MissingImages.Count > 0) return;
        var ct = TestContext.Current.CancellationToken;
        await Leftovers.RemoveAsync(Engine.Client, ct);
        _network = new NetworkBuilder()
            .WithName($"cheshire-rehearsal-{Guid.NewGuid():N}")
            .WithLabel(Leftovers.Label, Leftovers.Value)
            .WithCreateParameterModifier(p => p.Internal = true)
            .Build();
        await _network.CreateAsync(ct);

        var userKey = Path.Combine(_folder.FullName, "user.key");
        for (var n = 1; n <= 3; n++)
        {
            var keys = Path.Combine(_folder.FullName, $"node{n}-keys");
            var made = n == 1 ? await NodeSecret.RunAsync(keys) : await NodeSecret.RunAsync(keys, "--user-key", userKey);
            if (made.Exit != 0) throw new InvalidOperationException($"node-secret.sh: {made.Error}");
            if (n == 1) File.Copy(Path.Combine(keys, "user.key"), userKey);
            // What a Secret volume with defaultMode 0440 and fsGroup gives the pod: readable by the group, copied as 0600.
            HostFiles.MakeReadable(keys);

            var exports = Path.Combine(_folder.FullName, $"node{n}-exports");
            Directory.CreateDirectory(Path.Combine(exports, "shared"));
            var exportsFile = Path.Combine(_folder.FullName, $"node{n}-exports.json");
            await File.WriteAllTextAsync(exportsFile, n == 1
                ? $$"""{ "/{{ExportedPath}}": { "server": "export", "root": "/srv/cheshire/shared", "readOnly": true } }"""
                : "{}", ct);
            if (n == 1) await File.WriteAllTextAsync(Path.Combine(exports, "shared", "hello.txt"), ExportedText, ct);
            HostFiles.MakeReadable(exports);
            HostFiles.MakeReadable(exportsFile);

            string[] bootstrap = n == 1 ? [] : ["node1-dht-peers:4222"];
            Nodes.Add(await ContainerNode.StartAsync(Engine, _network, $"node{n}-", keys, exportsFile, exports, bootstrap, ct));
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        if (_network is not null) await _network.DisposeAsync();
        if (Engine is not null) await Engine.DisposeAsync();
        _folder.Delete(recursive: true);
    }
}
