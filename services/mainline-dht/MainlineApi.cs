using Cheshire.Protos;
using Cheshire.ServiceDefaults;
using Grpc.Core;

namespace Cheshire.MainlineDht;

public sealed class MainlineApi(ModuleInfoProvider info) : global::Cheshire.Protos.Mainline.Mainline.MainlineBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);
}
