using Cheshire.Protos;
using Cheshire.ServiceDefaults;
using Grpc.Core;

namespace Cheshire.StyxRoot;

public sealed class NamespaceApi(ModuleInfoProvider info) : global::Cheshire.Protos.Namespace.Namespace.NamespaceBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);
}
