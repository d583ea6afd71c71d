using Cheshire.ServiceDefaults;
using Cheshire.ServiceDefaults.Dependencies;
using Cheshire.StyxProvider.Control;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;
using MainlineClient = Cheshire.Protos.Mainline.Mainline.MainlineClient;
using ModulesClient = Cheshire.Protos.Modules.Modules.ModulesClient;

namespace Cheshire.StyxProvider.Extensions;

public static class ControlTreeExtensions
{
    /// <summary>
    /// Registers <see cref="ControlTrees"/> (the /dht, /mainline and /modules trees) and the gRPC clients they use: the dht
    /// and mainline-dht modules at http://_grpc.dht and http://_grpc.mainline-dht, the supervisor at http://_grpc.supervisor
    /// (service discovery; e.g. services:dht:grpc:0=http://127.0.0.1:5111, services:supervisor:grpc:0 from the AppHost).
    /// </summary>
    public static IServiceCollection AddControlTrees(this IServiceCollection services)
    {
        // each fails at once while its module is known down (stopped, failed, never reached), and rides out a restart
        services.AddModuleClient<DhtClient>(ControlTrees.DhtModule).FailFastWhenDown(ControlTrees.DhtModule);
        services.AddModuleStreamingClient<DhtClient>(ControlTrees.DhtModule).FailFastWhenDown(ControlTrees.DhtModule);
        services.AddModuleClient<MainlineClient>(ControlTrees.MainlineModule).FailFastWhenDown(ControlTrees.MainlineModule);
        // the supervisor's Modules API for /modules: a start waits for health, so no per-attempt timeout
        services.AddModuleStreamingClient<ModulesClient>(ControlTrees.SupervisorModule).FailFastWhenDown(ControlTrees.SupervisorModule);
        services.AddSingleton<ControlTrees>();
        return services;
    }
}
