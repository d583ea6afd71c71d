using Cheshire.Protos.Mainline;
using Cheshire.StyxProvider.Control.Files;
using Cheshire.Styx.Protocol;
using Google.Protobuf;
using MainlineClient = Cheshire.Protos.Mainline.Mainline.MainlineClient;

namespace Cheshire.StyxProvider.Control.Mainline;

/// <summary>The /mainline control tree: stats, routing, ctl, peers/INFOHASH, items/TARGET (see Control/README.md).</summary>
public static class MainlineTree
{
    public const int QidTree = 2;
    private const int PeersKind = 1, ItemsKind = 2;
    private const string Module = MainlineCommands.Module;

    public static ControlDirectory Build(Func<MainlineClient> client)
    {
        var qids = new QidSpace(QidTree);
        var state = new TreeState();
        var root = new ControlDirectory("/", qids.Directory());
        root.Add(new GeneratedFile("stats", qids.File(), state, async ct => MainlineText.Stats(
            await ModuleCalls.RunAsync(Module, async () => await client().StatsAsync(new StatsRequest(),
                deadline: ModuleCalls.Deadline(ModuleCalls.ReadDeadline), cancellationToken: ct), ct))));
        root.Add(new GeneratedFile("routing", qids.File(), state, async ct => MainlineText.Routing(
            await ModuleCalls.RunAsync(Module, async () => await client().RoutingTableAsync(new RoutingTableRequest(),
                deadline: ModuleCalls.Deadline(ModuleCalls.ReadDeadline), cancellationToken: ct), ct))));
        root.Add(new CommandFile("ctl", qids.File(), state, MainlineCommands.Help, new MainlineCommands(client).ExecuteAsync));
        root.Add(new ControlDirectory("peers", qids.Directory(), name =>
        {
            var request = new GetPeersRequest { Infohash = MainlineIds.Infohash(name) };
            return new GeneratedFile(name, qids.File(PeersKind, name.ToLowerInvariant()), state, async ct => MainlineText.Peers(
                (await ModuleCalls.RunAsync(Module, async () => await client().GetPeersAsync(request,
                    deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct), ct)).Peers));
        }));
        root.Add(new ControlDirectory("items", qids.Directory(), name =>
        {
            var request = ItemRequest(name);
            return new GeneratedFile(name, qids.File(ItemsKind, name), state, async ct =>
            {
                var item = await ModuleCalls.RunAsync(Module, async () => await client().GetItemAsync(request,
                    deadline: ModuleCalls.Deadline(ModuleCalls.OperationDeadline), cancellationToken: ct), ct);
                return item.Found ? MainlineText.Item(item) : throw new StyxErrorException(Errno.ENOENT, $"{Module}: no item {name} found");
            });
        }));
        return root;
    }

    /// <summary>TARGET (40 hex digits: immutable), KEY (64 hex digits: mutable, no salt) or KEY:SALT.</summary>
    private static GetItemRequest ItemRequest(string name)
    {
        if (name.Length == 2 * MainlineIds.IdLength) return new GetItemRequest { Target = MainlineIds.Infohash(name, "item target") };
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var key = colon < 0 ? name : name[..colon];
        var publicKey = ControlText.ParseHex(key, MainlineIds.PublicKeyLength) ?? throw new StyxErrorException(Errno.EINVAL,
            $"{Module}: '{name}' is not an item: give TARGET (40 hex digits), KEY (64 hex digits) or KEY:SALT");
        return new GetItemRequest
        {
            PublicKey = ByteString.CopyFrom(publicKey),
            Salt = colon < 0 ? ByteString.Empty : ByteString.CopyFromUtf8(name[(colon + 1)..]),
        };
    }

}
