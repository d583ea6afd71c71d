using System.Net.Sockets;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.Integration.Tests.GlobalNamespace;

/// <summary>The project's 9P client on a node's styx-root, as a user mounting the node would attach it.</summary>
public static class NodeRootMount
{
    public static async Task<StyxFs> MountAsync(this NodeRoot root, CancellationToken ct, string version = DialectNames.Linux)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync("127.0.0.1", root.Port, ct);
            return await StyxFs.MountAsync(tcp.GetStream(), uname: "root", version: version, ct: ct);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }
}
