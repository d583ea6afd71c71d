using Cheshire.ServiceDefaults;
using Cheshire.StyxProvider.Control.Dht;
using Cheshire.StyxProvider.Control.Mainline;
using Cheshire.Styx.FileSystem;
using Grpc.Net.ClientFactory;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;
using MainlineClient = Cheshire.Protos.Mainline.Mainline.MainlineClient;

namespace Cheshire.StyxProvider.Control;

/// <summary>
/// The node's control trees by mount name: "dht" (the dht module) and "mainline" (the mainline-dht module). Each is
/// served from its module's gRPC API through the module clients, which reconnect by themselves after a restart.
/// </summary>
public sealed class ControlTrees
{
    public const string DhtModule = "dht", MainlineModule = "mainline-dht";

    public ControlTrees(GrpcClientFactory clients)
    {
        Trees = new Dictionary<string, IFileSystem>
        {
            ["dht"] = DhtTree.Build(
                () => clients.CreateModuleClient<DhtClient>(DhtModule),
                () => clients.CreateModuleStreamingClient<DhtClient>(DhtModule)),
            ["mainline"] = MainlineTree.Build(() => clients.CreateModuleClient<MainlineClient>(MainlineModule)),
        };
    }

    public IReadOnlyDictionary<string, IFileSystem> Trees { get; }
}
