using Cheshire.Protos;
using Cheshire.Protos.Namespace;
using Cheshire.ServiceDefaults;
using Cheshire.StyxRoot.Styx;
using Grpc.Core;

namespace Cheshire.StyxRoot;

public sealed class NamespaceApi(ModuleInfoProvider info, NodeNamespace ns) : global::Cheshire.Protos.Namespace.Namespace.NamespaceBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);

    public override async Task<MountEntry> Mount(MountRequest request, ServerCallContext context)
    {
        var path = NamespacePaths.Check(request.Path);
        if (!Enum.IsDefined(request.Flag))
            throw Invalid($"flag {(int)request.Flag} is not REPLACE, BEFORE or AFTER.");
        var source = request.SourceCase switch
        {
            MountRequest.SourceOneofCase.Ram => MountSource.Ram(request.Ram.CapacityBytes),
            MountRequest.SourceOneofCase.Ninep => MountSource.Ninep(request.Ninep),
            MountRequest.SourceOneofCase.Delegated => MountSource.Delegated(request.Delegated),
            _ => throw Invalid("a mount needs a source: ram, ninep or delegated."),
        };
        try
        {
            return (await ns.MountAsync(path, source, request.Flag, request.Create, context.CancellationToken)).ToProto();
        }
        catch (MountSourceException e)
        {
            // Refused (a delegated export its owner would not or could not hand over) is not worth retrying as is.
            throw new RpcException(new Status(e.Refused ? StatusCode.FailedPrecondition : StatusCode.Unavailable, e.Message));
        }
    }

    public override async Task<UnmountReply> Unmount(UnmountRequest request, ServerCallContext context)
    {
        var path = NamespacePaths.Check(request.Path);
        var removed = await ns.UnmountAsync(path, request.Id);
        if (removed == 0)
            throw new RpcException(new Status(StatusCode.NotFound,
                request.Id == 0 ? $"nothing is mounted at {path}." : $"no mount {request.Id} at {path}."));
        return new UnmountReply { Removed = (uint)removed };
    }

    public override Task<ListMountsReply> ListMounts(ListMountsRequest request, ServerCallContext context)
    {
        var reply = new ListMountsReply();
        reply.Mounts.AddRange(ns.Mounts.Select(m => m.ToProto()));
        return Task.FromResult(reply);
    }

    internal static RpcException Invalid(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
