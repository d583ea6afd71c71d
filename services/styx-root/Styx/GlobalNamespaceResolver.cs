using Cheshire.Identity;
using Cheshire.Protos.Importer;
using Cheshire.Protos.Namespace;
using Cheshire.Styx.Namespaces;
using Cheshire.Styx.Protocol;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Cheshire.StyxRoot.Styx;

/// <summary>
/// The global namespace behind this node's namespace: names the local tree lacks are asked of styx-client's Importer.
/// An export is mounted from styx-client's Unix socket (9P, the aname it names), attached only when used
/// (<see cref="ImportedTree"/>); a directory lists the labels it gives, each with its owner. A label another owner's
/// entry shares with a local name is also listed as name@uid8 (<see cref="OwnerAlias"/>), which walks to that entry.
/// </summary>
public sealed class GlobalNamespaceResolver(Importer.ImporterClient importer, IOptionsMonitor<StyxRootOptions> options,
    IOptions<StyxClientBreakerOptions> breaker, UserIdentity user, TimeProvider time, ILogger<GlobalNamespaceResolver> logger)
    : INamespaceResolver
{
    public const string Module = "styx-client";

    private readonly DateTimeOffset _since = time.GetUtcNow();

    // Read at each call: Styx:ResolveSeconds may change while the module runs.
    private TimeSpan Timeout => options.CurrentValue.ResolveTimeout;

    public async ValueTask<ResolvedPath?> ResolveAsync(string path, CancellationToken cancellationToken)
    {
        var asked = await WithLabelsAsync(path, cancellationToken);
        var reply = await ResolveRemoteAsync(asked, cancellationToken);
        if (!reply.Found)
            return null;
        if (reply.MountPath != asked)
        {
            // An export on the way, under a name the local tree has (the namespace asks only in synthetic directories):
            // the local name hides it, and the export is reachable by its own name@uid8 where owners differ.
            logger.LogDebug("{Path} is inside the export {Export}, hidden by a local name", path, reply.MountPath);
            return null;
        }
        var look = reply.OwnerUid.Length > 0 ? new RemoteLook(reply.OwnerUid) : null;
        if (reply.Kind == EntryKind.Directory)
            return ResolvedPath.Directory(path, look);
        if (reply.Kind != EntryKind.Export)
            throw new IOException($"styx-client answered kind {reply.Kind} for {path}.");

        var source = MountSource.Ninep(new NinepSource { Address = reply.MountAddress, Aname = reply.MountAname });
        var tree = new ImportedTree(source.Prepare(), path, reply.NodeId, look ?? new RemoteLook(""), _since, logger);
        logger.LogInformation("Imported {Path} of {Owner} on node {Node} ({Source}); attached when used", path, reply.OwnerUid,
            reply.NodeId, source.Description);
        return ResolvedPath.Export(path, tree, "", $"import {path} from {reply.NodeId}");
    }

    public async ValueTask<IReadOnlyList<RemoteName>> ListAsync(string directoryPath, CancellationToken cancellationToken)
    {
        var asked = await WithLabelsAsync(directoryPath, cancellationToken);
        var reply = await ResolveRemoteAsync(asked, cancellationToken);
        if (!reply.Found || reply.Kind != EntryKind.Directory || reply.MountPath != asked)
            return [];
        return [.. reply.Children.Select(c => new RemoteName(c.Label)
        {
            IsTree = c.Kind == EntryKind.Export,
            // Publication times are not in the Importer API: the namespace shows its own start then.
            Look = new RemoteLook(c.OwnerUid),
            Alias = c.Label == c.Name && !string.Equals(c.OwnerUid, user.Uid, StringComparison.OrdinalIgnoreCase)
                ? OwnerAlias.Of(c.Name, c.OwnerUid) : null,
        })];
    }

    /// <summary>
    /// <paramref name="path"/> as styx-client labels it: an alias we list (name@uid8 of the only owner of a name, which
    /// styx-client lists as the plain name) becomes that name. Labels styx-client gives itself stay as they are.
    /// </summary>
    private async Task<string> WithLabelsAsync(string path, CancellationToken ct)
    {
        var names = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < names.Length; i++)
        {
            if (!OwnerAlias.TryParse(names[i], out var name, out var uidPrefix))
                continue;
            var parent = await ResolveRemoteAsync("/" + string.Join('/', names[..i]), ct);
            if (!parent.Found || parent.Kind != EntryKind.Directory || parent.Children.Any(c => c.Label == names[i]))
                continue;
            if (parent.Children.Any(c => c.Label == name && c.Name == name &&
                                         c.OwnerUid.StartsWith(uidPrefix, StringComparison.OrdinalIgnoreCase)))
                names[i] = name;
        }
        return "/" + string.Join('/', names);
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
        catch (RpcException e) when (!ct.IsCancellationRequested && StyxClientBreaker.Refused(e))
        {
            // Logged once when the breaker opened; every walk meanwhile fails at once.
            throw new IOException(
                $"styx-client is unavailable (its last calls failed; asked again within {breaker.Value.BreakSeconds:0.###} s)", e);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            var why = e.StatusCode switch
            {
                StatusCode.DeadlineExceeded => $"styx-client did not answer within {Timeout.TotalSeconds:0.###} s",
                // Not an answer of styx-client's (which says UNAVAILABLE when its dht cannot be asked): no connection.
                StatusCode.Unavailable when e.Status.DebugException is { } cause => $"styx-client is unavailable: {cause.Message}",
                _ => $"styx-client: {e.Status.Detail}",
            };
            logger.LogWarning("Resolving {Path} in the global namespace failed: {Reason}", path, why);
            throw new IOException(why, e);
        }
    }
}
