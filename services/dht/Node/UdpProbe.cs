using System.Net;
using System.Net.Sockets;
using Cheshire.Kademlia.Wire;
using Google.Protobuf;

namespace Cheshire.Dht.Node;

/// <summary>
/// Checks that the node's UDP socket answers: sends a request without a sender id, which the node
/// answers with a MALFORMED error carrying the same transaction id (and, unlike a ping, leaves the
/// routing table alone). Each probe counts once in the node's malformed counter.
/// </summary>
public static class UdpProbe
{
    public static async Task<bool> AnswersAsync(IPEndPoint nodeEndPoint, TimeSpan timeout, CancellationToken ct)
    {
        var target = Reachable(nodeEndPoint);
        using var socket = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(target.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        var tx = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        var probe = new Envelope { Tx = tx, Ping = new Ping() }.ToByteArray();
        var buffer = new byte[2048];
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await socket.SendToAsync(probe, SocketFlags.None, target, ct);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(timeout / 2);
            try
            {
                while (true)
                {
                    var received = await socket.ReceiveAsync(buffer, SocketFlags.None, wait.Token);
                    if (Answered(buffer.AsSpan(0, received), tx)) return true;
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            catch (SocketException)
            {
                return false; // port unreachable: nothing listens there
            }
        }
        return false;
    }

    private static bool Answered(ReadOnlySpan<byte> datagram, ulong tx)
    {
        try
        {
            var reply = Envelope.Parser.ParseFrom(datagram);
            return reply.Tx == tx && reply.BodyCase == Envelope.BodyOneofCase.Error;
        }
        catch (InvalidProtocolBufferException)
        {
            return false;
        }
    }

    private static IPEndPoint Reachable(IPEndPoint bound)
    {
        if (bound.Address.Equals(IPAddress.Any)) return new IPEndPoint(IPAddress.Loopback, bound.Port);
        if (bound.Address.Equals(IPAddress.IPv6Any)) return new IPEndPoint(IPAddress.IPv6Loopback, bound.Port);
        return bound;
    }
}
