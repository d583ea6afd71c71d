using Cheshire.Protos;
using Grpc.Net.Client;

namespace Cheshire.Integration.Tests;

/// <summary>Calls any module's GetInfo through its own generated client.</summary>
public static class ModuleClients
{
    public static async Task<ModuleInfo> GetInfoAsync(GrpcChannel channel, string module, DateTime deadline, CancellationToken ct = default)
    {
        var request = new GetInfoRequest();
        return module switch
        {
            "dht" => await new Protos.Dht.Dht.DhtClient(channel).GetInfoAsync(request, deadline: deadline, cancellationToken: ct),
            "mainline-dht" => await new Protos.Mainline.Mainline.MainlineClient(channel).GetInfoAsync(request, deadline: deadline, cancellationToken: ct),
            "styx-root" => await new Protos.Namespace.Namespace.NamespaceClient(channel).GetInfoAsync(request, deadline: deadline, cancellationToken: ct),
            "styx-provider" => await new Protos.Provider.Provider.ProviderClient(channel).GetInfoAsync(request, deadline: deadline, cancellationToken: ct),
            "styx-client" => await new Protos.Importer.Importer.ImporterClient(channel).GetInfoAsync(request, deadline: deadline, cancellationToken: ct),
            _ => throw new ArgumentException($"No module named {module}.", nameof(module)),
        };
    }
}
