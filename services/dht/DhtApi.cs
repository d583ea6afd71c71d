using Cheshire.Protos;
using Cheshire.ServiceDefaults;
using Grpc.Core;

namespace Cheshire.Dht;

public sealed class DhtApi(ModuleInfoProvider info) : global::Cheshire.Protos.Dht.Dht.DhtBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);
}
