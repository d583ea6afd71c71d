using System.Net;
using System.Net.Sockets;

namespace Cheshire.Testing;

/// <summary>
/// Loopback ports for child processes to listen on: bound to 0, read, released. A port is never handed out twice
/// in one test process (two quick calls can otherwise get the same port back, e.g. a gRPC and an HTTP port).
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<(ProtocolType, int)> Given = [];
    private static readonly Lock Gate = new();

    public static int Tcp() => Next(ProtocolType.Tcp, () =>
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    });

    public static int Udp() => Next(ProtocolType.Udp, () =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    });

    /// <summary>The first of <paramref name="count"/> consecutive loopback UDP ports that are all free now.</summary>
    public static int UdpRange(int count)
    {
        while (true)
        {
            var first = Udp();
            if (first + count - 1 > IPEndPoint.MaxPort) continue;
            var sockets = new List<Socket>();
            try
            {
                for (var port = first + 1; port < first + count; port++)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    sockets.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                lock (Gate)
                {
                    for (var port = first + 1; port < first + count; port++) Given.Add((ProtocolType.Udp, port));
                }
                return first;
            }
            catch (SocketException)
            {
                // One of the following ports is taken: try another start.
            }
            finally
            {
                foreach (var socket in sockets) socket.Dispose();
            }
        }
    }

    private static int Next(ProtocolType protocol, Func<int> bindAndRelease)
    {
        lock (Gate)
        {
            while (true)
            {
                var port = bindAndRelease();
                if (Given.Add((protocol, port))) return port;
            }
        }
    }
}
