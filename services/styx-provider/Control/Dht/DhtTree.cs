using System.Runtime.CompilerServices;
using Cheshire.Protos.Dht;
using Cheshire.StyxProvider.Control.Files;
using Cheshire.Styx.Protocol;
using Grpc.Core;
using DhtClient = Cheshire.Protos.Dht.Dht.DhtClient;

namespace Cheshire.StyxProvider.Control.Dht;

/// <summary>
/// The /dht control tree: node, stats, routing, ctl, get/KEY, listen/KEY (see Control/README.md), served from the
/// dht module's gRPC API. <paramref name="client"/> makes unary calls (retried while the module restarts);
/// <paramref name="streamingClient"/> makes Get and Listen calls, whose first answer may be long in coming.
/// </summary>
public static class DhtTree
{
    public const int QidTree = 1;
    private const int GetKind = 1, ListenKind = 2;
    private const string Module = DhtCommands.Module;

    public static ControlDirectory Build(Func<DhtClient> client, Func<DhtClient> streamingClient)
    {
        var qids = new QidSpace(QidTree);
        var state = new TreeState();
        var root = new ControlDirectory("/", qids.Directory());
        root.Add(new GeneratedFile("node", qids.File(), state, async ct => DhtText.Node(await NodeInfoAsync(client, ct))));
        root.Add(new GeneratedFile("stats", qids.File(), state, async ct => DhtText.Stats(await NodeInfoAsync(client, ct))));
        root.Add(new GeneratedFile("routing", qids.File(), state, async ct => DhtText.Routing(
            await ModuleCalls.RunAsync(Module, async () => await client().RoutingTableAsync(new RoutingTableRequest(),
                deadline: ModuleCalls.Deadline(ModuleCalls.ReadDeadline), cancellationToken: ct), ct))));
        var commands = new DhtCommands(client);
        root.Add(new CommandFile("ctl", qids.File(), state, DhtCommands.Help, commands.ExecuteAsync));
        root.Add(new ControlDirectory("get", qids.Directory(), name =>
            new GeneratedFile(name, qids.File(GetKind, name), state, ct => GetAsync(streamingClient, name, ct))));
        root.Add(new ControlDirectory("listen", qids.Directory(), name =>
            new EventFile(name, qids.File(ListenKind, name), ct => ListenAsync(streamingClient, name, ct),
                $"{Module}: the listen on '{name}' ended (the dht stopped); open the file again")));
        return root;
    }


    private static Task<NodeInfoReply> NodeInfoAsync(Func<DhtClient> client, CancellationToken ct) =>
        ModuleCalls.RunAsync(Module, async () => await client().NodeInfoAsync(new NodeInfoRequest(),
            deadline: ModuleCalls.Deadline(ModuleCalls.ReadDeadline), cancellationToken: ct), ct);

    private static Task<string> GetAsync(Func<DhtClient> client, string key, CancellationToken ct) =>
        ModuleCalls.RunAsync(Module, async () =>
        {
            using var call = client().Get(new GetRequest { Key = DhtKeys.Parse(key) },
                deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct);
            var text = new System.Text.StringBuilder();
            await foreach (var value in call.ResponseStream.ReadAllAsync(ct)) text.Append(DhtText.Value(value));
            return text.ToString();
        }, ct);

    private static async IAsyncEnumerable<string> ListenAsync(Func<DhtClient> client, string key, [EnumeratorCancellation] CancellationToken ct)
    {
        using var call = client().Listen(new ListenRequest { Key = DhtKeys.Parse(key) }, cancellationToken: ct);
        while (await ModuleCalls.RunAsync(Module, () => call.ResponseStream.MoveNext(ct), ct))
            yield return DhtText.Value(call.ResponseStream.Current);
    }
}
