using Cheshire.Protos;
using Cheshire.ServiceDefaults;
using Grpc.Core;

namespace Cheshire.StyxProvider;

public sealed class ProviderApi(ModuleInfoProvider info) : global::Cheshire.Protos.Provider.Provider.ProviderBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);
}
