using System.Net;
using System.Net.Sockets;

namespace Cheshire.Link.Tests;

/// <summary>Real TCP connections on 127.0.0.1.</summary>
internal static class Loopback
{
    /// <summary>Both ends of one TCP connection: what a dialer and an acceptor each hold.</summary>
    public static async Task<(NetworkStream Dialer, NetworkStream Acceptor)> PairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        var accepting = listener.AcceptTcpClientAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var server = await accepting;
        server.NoDelay = true;
        return (client.GetStream(), server.GetStream());
    }
}
