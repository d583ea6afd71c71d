using System.Net.Sockets;
using System.Text;
using Cheshire.Styx.Client;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control.Modules;

/// <summary>
/// The /modules tree as styx-root reaches it: a 9P2000.u connection (errors carry text and errno) to styx-provider's
/// Unix socket, attached with the aname "/modules".
/// </summary>
internal static class ModulesMount
{
    public const string Aname = "/modules";

    public static async Task<StyxFs> MountAsync(string providerDataDirectory, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(providerDataDirectory, "styx-provider.sock")), ct);
        return await StyxFs.MountAsync(new NetworkStream(socket, ownsSocket: true), "glenda", Aname, DialectNames.Unix, 64 * 1024, ct: ct);
    }

    /// <summary>stat, then open and read the same fid, as a FUSE client does: (stat's length, the text read).</summary>
    public static async Task<(ulong Length, string Text)> StatAndReadAsync(this StyxFs fs, string path, CancellationToken ct)
    {
        var fid = await fs.WalkAsync(path, ct);
        try
        {
            var stat = await fs.Client.StatAsync(fid, ct);
            await fs.Client.OpenAsync(fid, StyxOpenMode.Read, ct);
            return (stat.Length, Encoding.UTF8.GetString(await fs.Client.ReadAllAsync(fid, ct)));
        }
        finally
        {
            await fs.Client.ClunkAsync(fid, CancellationToken.None);
        }
    }

    /// <summary>The "name value" lines of a status file; repeated names (endpoint) keep every value.</summary>
    public static ILookup<string, string> Pairs(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ', 2)).ToLookup(p => p[0], p => p[1]);
}
