using System.Net.Sockets;
using Cheshire.Styx.Client;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxRoot.Tests;

/// <summary>A connected, attached 9P client.</summary>
public sealed record NinePSession(TcpClient Tcp, StyxClient Client, uint Root) : IAsyncDisposable
{
    public async Task<byte[]> ReadFileAsync(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        var fid = Client.NewFid();
        await Client.WalkAsync(Root, fid, path.Split('/'), ct);
        if (Client.Dialect == Dialect.Linux)
            await Client.LopenAsync(fid, LinuxOpenFlags.ReadOnly, ct);
        else
            await Client.OpenAsync(fid, StyxOpenMode.Read, ct);
        var data = await Client.ReadAllAsync(fid, ct);
        await Client.ClunkAsync(fid, ct);
        return data;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        Tcp.Dispose();
    }
}
