using Cheshire.StyxProvider.Config;
using Cheshire.StyxProvider.Hosting;
using Cheshire.Styx.FileSystem.Local;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Remote;
using Cheshire.Styx.Scripting;

namespace Cheshire.StyxProvider.Servers;

/// <summary>Makes the tree a definition describes. Paths in it are resolved by the validator that accepted it.</summary>
public sealed class ServerFactory(ProviderSettings settings, ILoggerFactory loggers)
{
    public RunningServer Start(ServerDefinition definition, ServerValidator paths) => definition.Server switch
    {
        ServerKinds.Export => StartExport(definition, paths),
        ServerKinds.Proxy => StartProxy(definition),
        ServerKinds.Script => StartScript(definition, paths),
        _ => throw new InvalidOperationException($"unknown server kind '{definition.Server}'."),
    };

    private static RunningServer StartExport(ServerDefinition definition, ServerValidator paths)
    {
        var root = paths.ResolvePath(definition.Root!);
        var tree = new LocalFileSystem(root, new LocalOptions { ReadOnly = definition.ReadOnly });
        return new RunningServer(definition.Path, definition, tree, $"export {root}{(definition.ReadOnly ? " (read-only)" : "")}");
    }

    private RunningServer StartScript(ServerDefinition definition, ServerValidator paths)
    {
        var script = paths.ResolvePath(definition.Script!);
        var tree = new ScriptFileSystem(script, settings.ScriptLimits, loggers.CreateLogger($"Cheshire.StyxProvider.Scripts.{Path.GetFileName(script)}"));
        return new RunningServer(definition.Path, definition, tree, $"js {script}");
    }

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
