namespace Cheshire.Testing;

/// <summary>A node's styx-root: its process and the 9P port it serves on 127.0.0.1.</summary>
public sealed record NodeRoot(ModuleProcess Process, int Port);

/// <summary>
/// More node shapes for a <see cref="ModuleNetwork"/>: nodes whose namespace a 9P client mounts (styx-root), and
/// nodes started on a data folder prepared beforehand (e.g. holding another node's user key). A module is taken as
/// up once its health endpoint answers, Degraded included: these nodes run no mainline-dht, and an importing node no
/// styx-provider, which their health reports; callers wait for what they use (a read, a listing) instead.
/// </summary>
public static class NetworkNodeRoots
{
    /// <summary>
    /// A fresh data folder holding a copy of <paramref name="owner"/>'s user key (mode 0600): a node started on it is
    /// another node of the same user, as the README's "User identity" says to set one up.
    /// </summary>
    public static string NewFolderWithUserKeyOf(this ModuleNetwork network, NetworkNode owner)
    {
        var data = network.NewFolder("node");
        var key = Path.Combine(data, "user.key");
        File.Copy(Path.Combine(owner.Data, "user.key"), key);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return data;
    }

    /// <summary>
    /// A node that only imports, started on <paramref name="data"/> (a folder the caller prepared): a dht joined to
    /// <paramref name="bootstrap"/>, styx-client, and styx-root resolving the global namespace through it; all healthy.
    /// </summary>
    public static async Task<(NetworkNode Node, NodeRoot Root)> StartImportingNodeWithRootAsync(this ModuleNetwork network, string data,
        string bootstrap, TimeSpan bound, CancellationToken ct)
    {
        int udp = FreePorts.Udp(), link = FreePorts.Tcp();
        var dht = await network.StartDhtAsync(data, udp, bound, ct, bootstrap);
        var client = network.Start("styx-client", "Cheshire.StyxClient", data, new()
        {
            ["services:dht:grpc:0"] = ModuleNetwork.GrpcOf(dht),
            ["Link:Endpoint"] = $"127.0.0.1:{link}",
        });
        await client.WaitHealthyAsync(bound, ct);
        var root = await StartRootAsync(network, data, new() { ["services:styx-client:grpc:0"] = ModuleNetwork.GrpcOf(client) }, bound, ct);
        return (new NetworkNode(data, dht, udp, client, $"127.0.0.1:{link}", null), root);
    }

    /// <summary>
    /// A node that exports <paramref name="exportsJson"/> as <see cref="ModuleNetwork.StartExportingNodeAsync"/> does
    /// (published with its link address, served on its link port) and also mounts its servers in its own styx-root,
    /// so the exports are reachable locally over plain 9P. Its styx-root shows only local mounts (no styx-client).
    /// </summary>
    public static async Task<(NetworkNode Node, NodeRoot Root)> StartExportingNodeWithRootAsync(this ModuleNetwork network,
        string exportsJson, TimeSpan bound, CancellationToken ct)
    {
        var data = network.NewFolder("node");
        await File.WriteAllTextAsync(Path.Combine(data, "exports.json"), exportsJson, ct);
        int udp = FreePorts.Udp(), link = FreePorts.Tcp();
        var dht = await network.StartDhtAsync(data, udp, bound, ct);
        var root = await StartRootAsync(network, data, [], bound, ct);
        var provider = network.Start("styx-provider", "Cheshire.StyxProvider", data, new()
        {
            ["services:dht:grpc:0"] = ModuleNetwork.GrpcOf(dht),
            ["services:styx-root:grpc:0"] = ModuleNetwork.GrpcOf(root.Process),
            ["Link:Advertise"] = $"127.0.0.1:{link}",
        });
        await provider.WaitHealthyAsync(bound, ct);
        var client = network.Start("styx-client", "Cheshire.StyxClient", data, new()
        {
            ["services:dht:grpc:0"] = ModuleNetwork.GrpcOf(dht),
            ["services:styx-provider:grpc:0"] = ModuleNetwork.GrpcOf(provider),
            ["Link:Endpoint"] = $"127.0.0.1:{link}",
        });
        await client.WaitHealthyAsync(bound, ct);
        return (new NetworkNode(data, dht, udp, client, $"127.0.0.1:{link}", provider), root);
    }

    private static async Task<NodeRoot> StartRootAsync(ModuleNetwork network, string data, Dictionary<string, string> settings,
        TimeSpan bound, CancellationToken ct)
    {
        var port = FreePorts.Tcp();
        settings["Styx:Endpoint"] = $"127.0.0.1:{port}";
        var root = network.Start("styx-root", "Cheshire.StyxRoot", data, settings);
        await root.WaitHealthyAsync(bound, ct);
        return new NodeRoot(root, port);
    }
}
