using System.Net;
using System.Net.Sockets;

namespace Cheshire.Testing;

/// <summary>
/// Loopback ports for child processes to listen on: a random port below the kernel's ephemeral range
/// (ip_local_port_range), checked free by binding it, released. Below that range because a port is bound only later,
/// by the child: a port of the ephemeral range can meanwhile be taken by any outgoing connection or by another
/// process's bind to port 0 (Aspire's DCP allocates the test nodes' random ports that way), which once failed a whole
/// node's start with "address already in use". A port is never handed out twice in one test process.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<(ProtocolType, int)> Given = [];
    private static readonly Lock Gate = new();

    private const int LowestPort = 10000;
    private static readonly int EndOfRange = FirstEphemeralPort();

    public static int Tcp() => Next(ProtocolType.Tcp, port =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen();
    });

    public static int Udp() => Next(ProtocolType.Udp, port =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
    });

    /// <summary>The first of <paramref name="count"/> consecutive loopback UDP ports that are all free now.</summary>
    public static int UdpRange(int count)
    {
        while (true)
        {
            var first = Udp();
            if (first + count > EndOfRange) continue;
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

    private static int Next(ProtocolType protocol, Action<int> bindAndRelease)
    {
        lock (Gate)
        {
            while (true)
            {
                var port = Random.Shared.Next(LowestPort, EndOfRange);
                if (Given.Contains((protocol, port))) continue;
                try
                {
                    bindAndRelease(port);
                }
                catch (SocketException)
                {
                    continue;
                }
                Given.Add((protocol, port));
                return port;
            }
        }
    }

    /// <summary>The first port of ip_local_port_range (32768 when it cannot be read or leaves too little below it).</summary>
    private static int FirstEphemeralPort()
    {
        try
        {
            var first = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'],
                StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
            return first >= LowestPort + 4096 ? first : 32768;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 32768;
        }
    }
}
