using Cheshire.ServiceDefaults;
using Cheshire.StyxProvider.Control;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;
using MainlineClient = Cheshire.Protos.Mainline.Mainline.MainlineClient;

namespace Cheshire.StyxProvider.Extensions;

public static class ControlTreeExtensions
{
    /// <summary>
    /// Registers <see cref="ControlTrees"/> (the /dht and /mainline trees) and the gRPC clients they use: the dht and
    /// mainline-dht modules at http://_grpc.dht and http://_grpc.mainline-dht (service discovery; e.g.
    /// services:dht:grpc:0=http://127.0.0.1:5111).
    /// </summary>
    public static IServiceCollection AddControlTrees(this IServiceCollection services)
    {
        services.AddModuleClient<DhtClient>(ControlTrees.DhtModule);
        services.AddModuleStreamingClient<DhtClient>(ControlTrees.DhtModule);
        services.AddModuleClient<MainlineClient>(ControlTrees.MainlineModule);
        services.AddSingleton<ControlTrees>();
        return services;
    }
}
