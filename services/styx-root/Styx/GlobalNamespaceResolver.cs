using Cheshire.Protos.Importer;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// The global namespace behind this node's namespace: names the local tree lacks are asked of styx-client's Importer.
/// An export is mounted from styx-client's Unix socket (9P, the aname it names); a directory lists the labels it gives.
/// </summary>
public sealed class GlobalNamespaceResolver(Importer.ImporterClient importer, IOptions<StyxRootOptions> options,
    ILogger<GlobalNamespaceResolver> logger) : INamespaceResolver
{
    public const string Module = "styx-client";

    private TimeSpan Timeout => options.Value.ResolveTimeout;

    public async ValueTask<ResolvedPath?> ResolveAsync(string path, CancellationToken cancellationToken)
    {
        var reply = await ResolveRemoteAsync(path, cancellationToken);
        if (!reply.Found)
            return null;
        if (reply.Kind == EntryKind.Directory)
            return ResolvedPath.Directory(path);
        if (reply.Kind != EntryKind.Export)
            throw new IOException($"styx-client answered kind {reply.Kind} for {path}.");
        if (reply.MountPath != path)
            throw new IOException($"styx-client resolved {path} to the export {reply.MountPath}.");

        var source = MountSource.Ninep(new NinepSource { Address = reply.MountAddress, Aname = reply.MountAname });
        Cheshire.Styx.FileSystem.IFileSystem tree;
        try
        {
            tree = await source.OpenAsync(cancellationToken);
        }
        catch (MountSourceException e)
        {
            logger.LogWarning("Importing {Path} from node {Node} failed: {Reason}", path, reply.NodeId, e.Message);
            throw new IOException(e.Message, e);
        }
        logger.LogInformation("Imported {Path} of {Owner} on node {Node} ({Source})", path, reply.OwnerUid, reply.NodeId, source.Description);
        return ResolvedPath.Export(path, tree, "", $"import {path} from {reply.NodeId}");
    }

    public async ValueTask<IReadOnlyList<string>> ListAsync(string directoryPath, CancellationToken cancellationToken)
    {
        var reply = await ResolveRemoteAsync(directoryPath, cancellationToken);
        return reply.Found && reply.Kind == EntryKind.Directory ? [.. reply.Children.Select(c => c.Label)] : [];
    }

    private async Task<ResolveReply> ResolveRemoteAsync(string path, CancellationToken ct)
    {
        try
        {
            return await importer.ResolveAsync(new ResolveRequest { Path = path }, deadline: DateTime.UtcNow + Timeout,
                cancellationToken: ct);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            // A name the global namespace cannot hold (a control character, too long): the walk's own fault.
            throw new StyxErrorException(Errno.EINVAL, e.Status.Detail);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            var why = e.StatusCode == StatusCode.DeadlineExceeded
                ? $"styx-client did not answer within {Timeout.TotalSeconds:0.###} s"
                : $"styx-client: {e.Status.Detail}";
            logger.LogWarning("Resolving {Path} in the global namespace failed: {Reason}", path, why);
            throw new IOException(why, e);
        }
    }
}
