using Cheshire.Protos;
using Cheshire.Protos.Importer;
using Cheshire.ServiceDefaults;
using Cheshire.StyxClient.Imports;
using Grpc.Core;

namespace Cheshire.StyxClient;

public sealed class ImporterApi(ModuleInfoProvider info, ImportsApi imports) : global::Cheshire.Protos.Importer.Importer.ImporterBase
{
    public override Task<ModuleInfo> GetInfo(GetInfoRequest request, ServerCallContext context) =>
        info.DescribeAsync(context.CancellationToken);

    public override Task<ResolveReply> Resolve(ResolveRequest request, ServerCallContext context) =>
        imports.ResolveAsync(request, context.CancellationToken);

    public override Task<ListImportsReply> ListImports(ListImportsRequest request, ServerCallContext context) =>
        Task.FromResult(imports.ListImports());

    public override Task<DropReply> Drop(DropRequest request, ServerCallContext context) =>
        imports.DropAsync(request, context.CancellationToken);
}
