using Cheshire.StyxProvider.Config;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Remote;

namespace Cheshire.StyxProvider.Servers;

/// <summary>Makes the tree a definition describes. Paths in it are resolved by the validator that accepted it.</summary>
public sealed class ServerFactory
{
    public RunningServer Start(ServerDefinition definition, ServerValidator paths) => definition.Server switch
    {
        ServerKinds.Proxy => StartProxy(definition),
        _ => throw new InvalidOperationException($"server kind '{definition.Server}' cannot be started by this build."),
    };

    private static RunningServer StartProxy(ServerDefinition definition)
    {
        if (!ProxyAddress.TryParse(definition.Address!, out var address))
            throw new ExportsFileException($"\"{definition.Path}\": bad proxy address '{definition.Address}'.");
        var dial = address.SocketPath is not null
            ? RemoteFileSystem.UnixDialer(address.SocketPath)
            : RemoteFileSystem.TcpDialer(address.Host!, address.Port);
        var uname = definition.Uname ?? "root";
        // uid 0 for root, as diod expects to serve every uid; other users attach with no numeric id.
        var options = new RemoteOptions { NUname = uname == "root" ? 0 : Tauth.NoUid };
        var tree = RemoteFileSystem.Create(dial, definition.Aname ?? "", uname, options);
        return new RunningServer(definition.Path, definition, tree, $"proxy {address} {definition.Aname}".TrimEnd());
    }
}
