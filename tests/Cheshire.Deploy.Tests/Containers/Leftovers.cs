using Docker.DotNet;
using Docker.DotNet.Models;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>
/// The rehearsal's containers, networks and volumes carry <see cref="Label"/>; what an earlier, killed run left behind is
/// removed before a new run starts (nothing else on the engine is touched).
/// </summary>
public static class Leftovers
{
    public const string Label = "org.cheshire.rehearsal";
    public const string Value = "containers";

    public static async Task RemoveAsync(IDockerClient docker, CancellationToken ct)
    {
        var filter = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{Label}={Value}"] = true } };
        foreach (var container in await docker.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filter }, ct))
            await docker.Containers.RemoveContainerAsync(container.ID, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, ct);
        foreach (var network in await docker.Networks.ListNetworksAsync(new NetworksListParameters { Filters = filter }, ct))
            await docker.Networks.DeleteNetworkAsync(network.ID, ct);
        foreach (var volume in (await docker.Volumes.ListAsync(new VolumesListParameters { Filters = filter }, ct)).Volumes ?? [])
            await docker.Volumes.RemoveAsync(volume.Name, force: true, ct);
    }
}
