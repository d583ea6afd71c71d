using Cheshire.Protos.Importer;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Install;

/// <summary>
/// Who owns the export a namespace path is served by. An import (another node's export, mounted by styx-client) carries
/// its owner's uid, verified from the signed DHT entry: styx-client's Importer.ListImports lists it with the path it is
/// mounted at. A path under no import is served by this node (its styx-provider exports, which serve only the node's
/// own user: the exports file refuses any other uid), so its owner is the node's user.
/// </summary>
public static class PackageOwner
{
    /// <summary>The import whose mount path is <paramref name="path"/> or its longest ancestor; null when none is.</summary>
    public static Import? ImportOf(IEnumerable<Import> imports, string path) =>
        imports.Where(i => path == i.Path || path.StartsWith(i.Path.TrimEnd('/') + "/", StringComparison.Ordinal))
            .MaxBy(i => i.Path.Length);

    /// <summary>Asks styx-client (its gRPC address, or null when it does not run) for the path's import.</summary>
    public static async Task<string> OfAsync(string? importerUrl, string path, string nodeUid, CancellationToken ct)
    {
        if (importerUrl is null)
            return nodeUid; // no styx-client: nothing is imported, every path is this node's
        using var channel = GrpcChannel.ForAddress(importerUrl, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { UseProxy = false } });
        ListImportsReply imports;
        try
        {
            imports = await new Importer.ImporterClient(channel).ListImportsAsync(new ListImportsRequest(),
                deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
        }
        catch (RpcException e)
        {
            throw new InstallException(StatusCode.Unavailable, $"styx-client could not say who owns {path}: {e.Status.Detail}");
        }
        return ImportOf(imports.Imports, path)?.OwnerUid.ToLowerInvariant() ?? nodeUid;
    }
}
