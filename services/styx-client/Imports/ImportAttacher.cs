using Cheshire.Identity;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Relay;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// Where an attach on styx-client's Unix socket goes: Tattach's aname is the path an export was resolved at (Resolve's
/// mount_aname); it is attached on its node's link (dialled if need be) with the export's own path as aname and this
/// node's user as uname. An aname not imported yet is resolved first, so a mount survives styx-client restarting.
/// 9P2000.L carries only the errno of a refusal: the reason is logged.
/// </summary>
public sealed class ImportAttacher(ImportTable imports, Resolver resolver, UserIdentity user, TimeProvider clock, ILogger<ImportAttacher> logger)
{
    public async ValueTask<MuxAttachTarget> AttachAsync(MuxAttachRequest request, CancellationToken cancellationToken)
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
        try
        {
            var link = await import.Link.ConnectAsync(cancellationToken);
            return new MuxAttachTarget(link, import.RemotePath, user.Uid, NUname: 0);
        }
        catch (IOException e)
        {
            throw new StyxErrorException(Errno.EIO, e.Message);
        }
    }

    /// <summary>Logs why an attach was refused (the client sees only the errno).</summary>
    public void Refused(string aname, Exception reason) =>
        logger.LogInformation("Attach of {Aname} refused: {Reason}", aname, reason.Message);

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
