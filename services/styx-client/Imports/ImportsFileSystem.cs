using Cheshire.Styx.FileSystem;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// What styx-client's Unix socket serves to styx-root: Tattach's aname is the path an export was resolved at
/// (Resolve's mount_aname), attached on its node's link with the export's own path. An aname not imported yet is
/// resolved first, so a mount survives styx-client restarting.
/// </summary>
public sealed class ImportsFileSystem(ImportTable imports, Resolver resolver, TimeProvider clock) : IFileSystem
{
    public async ValueTask<INode> AttachAsync(AttachRequest request, CancellationToken cancellationToken) =>
        (await AttachImportAsync(request, cancellationToken)).Root;

    /// <summary>The imported tree's root, and the link it came over.</summary>
    public async Task<(INode Root, NodeLink Link)> AttachImportAsync(AttachRequest request, CancellationToken cancellationToken)
    {
        string path;
        try
        {
            path = ImportPath.Join(ImportPath.Parse(request.Aname));
        }
        catch (ArgumentException e)
        {
            throw new StyxErrorException(Errno.EINVAL, $"attach names an imported path: {e.Message}");
        }
        // An import whose entry has expired is looked up again: the owner may have moved it, or withdrawn it.
        if (!imports.TryGet(path, out var import) || import.Entry.Expiry <= clock.GetUtcNow())
        {
            var resolution = await ResolveAsync(path, cancellationToken);
            if (!resolution.Found)
                throw new StyxErrorException(Errno.ENOENT, $"nobody publishes {resolution.Missing} in the global namespace");
            if (!resolution.IsExport || resolution.MountPath != path)
                throw new StyxErrorException(Errno.ENOENT, $"{path} is not an export (it resolves to {resolution.MountPath})");
            import = imports.Add(resolution);
        }
        return (await import.Link.Tree.AttachAsync(request with { Aname = import.RemotePath }, cancellationToken), import.Link);
    }

    private async Task<Resolution> ResolveAsync(string path, CancellationToken ct)
    {
        try
        {
            return await resolver.ResolveAsync(path, ct);
        }
        catch (Grpc.Core.RpcException e) when (!ct.IsCancellationRequested)
        {
            throw new StyxErrorException(Errno.EIO, $"cannot resolve {path}: the dht module cannot be asked: {e.Status.Detail}");
        }
    }
}
