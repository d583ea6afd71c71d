using Cheshire.Protos.Importer;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using EntryKind = Cheshire.GlobalNamespace.EntryKind;
using ProtoKind = Cheshire.Protos.Importer.EntryKind;

namespace Cheshire.StyxClient.Imports;

/// <summary>The Importer gRPC calls of the importing side: Resolve, ListImports, Drop.</summary>
public sealed class ImportsApi(Resolver resolver, ImportTable imports, ImportsSettings settings, ILogger<ImportsApi> logger)
{
    public async Task<ResolveReply> ResolveAsync(ResolveRequest request, CancellationToken ct)
    {
        var resolution = await Run(() => resolver.ResolveAsync(request.Path, ct), ct);
        var reply = new ResolveReply { Path = resolution.Path };
        if (!resolution.Found)
        {
            reply.NotFound = $"nobody publishes {resolution.Missing}";
            return reply;
        }
        reply.Found = true;
        reply.MountPath = resolution.MountPath;
        reply.Kind = ProtoKind.Directory;
        if (resolution.Entry?.Entry is { } entry)
        {
            reply.Kind = Kind(entry.Kind);
            reply.OwnerUid = entry.OwnerUid;
            reply.NodeId = entry.NodeId.ToString();
            reply.Addresses.AddRange(entry.Addresses);
            reply.Expires = Timestamp.FromDateTimeOffset(entry.Expiry);
        }
        reply.Children.AddRange(resolution.Children.Select(c => new Child
        {
            Label = c.Label,
            Name = c.Entry.Name,
            Kind = Kind(c.Entry.Kind),
            OwnerUid = c.Entry.OwnerUid,
            NodeId = c.Entry.NodeId.ToString(),
        }));
        if (resolution.IsExport)
        {
            var import = imports.Add(resolution);
            reply.MountAddress = "unix:" + settings.Socket;
            reply.MountAname = import.Path;
            logger.LogInformation("{Path} is {Remote} of {Owner} on node {Node}", import.Path, import.RemotePath,
                import.Entry.OwnerUid, import.Link.NodeIdHex);
        }
        return reply;
    }

    public ListImportsReply ListImports()
    {
        var reply = new ListImportsReply();
        reply.Imports.AddRange(imports.All.Select(i => new Cheshire.Protos.Importer.Import
        {
            Path = i.Path,
            RemotePath = i.RemotePath,
            NodeId = i.Link.NodeIdHex,
            OwnerUid = i.Entry.OwnerUid,
            Address = i.Link.Address ?? "",
            State = i.Link.State,
            Error = i.Link.Error ?? "",
            BytesIn = i.Link.Counters.BytesIn,
            BytesOut = i.Link.Counters.BytesOut,
            Latency = i.Link.Latency is { } latency ? Duration.FromTimeSpan(latency) : null,
        }));
        return reply;
    }

    public async Task<DropReply> DropAsync(DropRequest request, CancellationToken ct)
    {
        string path;
        try
        {
            path = ImportPath.Join(ImportPath.Parse(request.Path));
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        var dropped = imports.TryGet(path, out var import) && await imports.DropAsync(path);
        if (dropped)
            resolver.Forget(new Resolution { Path = path, NamesPath = import.RemotePath });
        return new DropReply { Dropped = dropped };
    }

    private static ProtoKind Kind(EntryKind kind) => kind == EntryKind.Export ? ProtoKind.Export : ProtoKind.Directory;

    private static async Task<T> Run<T>(Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"the dht module cannot be asked: {e.Status.Detail}"));
        }
    }
}
