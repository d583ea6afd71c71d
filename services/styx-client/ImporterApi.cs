using Cheshire.Protos;
using Cheshire.ServiceDefaults;
using Grpc.Core;

namespace Cheshire.StyxClient;

public sealed class ImporterApi(ModuleInfoProvider info) : global::Cheshire.Protos.Importer.Importer.ImporterBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);
}
