using Cheshire.ServiceDefaults;
using Cheshire.StyxProvider.Control.Dht;
using Cheshire.StyxProvider.Control.Mainline;
using Cheshire.StyxProvider.Control.Modules;
using Cheshire.Styx.FileSystem;
using Grpc.Net.ClientFactory;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;
using MainlineClient = Cheshire.Protos.Mainline.Mainline.MainlineClient;
using ModulesClient = Cheshire.Protos.Modules.Modules.ModulesClient;

namespace Cheshire.StyxProvider.Control;

/// <summary>
/// The node's control trees by mount name: "dht" (the dht module), "mainline" (the mainline-dht module) and "modules"
/// (the supervisor's Modules API, service "supervisor"). Each is served from its module's gRPC API through the module
/// clients, which reconnect by themselves after a restart.
/// </summary>
public sealed class ControlTrees
{
    public const string DhtModule = "dht", MainlineModule = "mainline-dht";
    public const string SupervisorModule = Cheshire.Modules.SupervisorAddress.ServiceName;

    public ControlTrees(GrpcClientFactory clients, IConfiguration configuration)
    {
        Trees = new Dictionary<string, IFileSystem>
        {
            ["dht"] = DhtTree.Build(
                () => clients.CreateModuleClient<DhtClient>(DhtModule),
                () => clients.CreateModuleStreamingClient<DhtClient>(DhtModule)),
            ["mainline"] = MainlineTree.Build(() => clients.CreateModuleClient<MainlineClient>(MainlineModule)),
            [ModulesTree.Mount] = ModulesTree.Build(() => clients.CreateModuleStreamingClient<ModulesClient>(SupervisorModule),
                configuration.GetSection($"services:{SupervisorModule}").Exists() ? null
                    : $"no address configured for it (services:{SupervisorModule}:grpc:0, which the AppHost sets)"),
        };
    }

    public IReadOnlyDictionary<string, IFileSystem> Trees { get; }
}
