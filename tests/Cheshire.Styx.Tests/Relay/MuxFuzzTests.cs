using System.Net.Sockets;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;
using Cheshire.Testing;

namespace Cheshire.Styx.Tests.Relay;

/// <summary>Hostile clients on a live relay: each may lose its own connection, never the link or another client's files.</summary>
public sealed class MuxFuzzTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    public async Task HostileFramesCloseOnlyTheirConnectionAndLeaveNoFidBehind(int seed)
    {
        var mutator = new FrameMutator(seed, Dialect.Linux, requestsOnly: true);
        await using var rig = await MuxRig.StartAsync(new RamFileSystem(capacityBytes: 16 << 20, maxFileBytes: 1 << 20));
        await using var bystander = await rig.MountAsync();
        var setup = new Message[]
        {
            new Tversion(StyxConstants.NoTag, 8192, DialectNames.Linux),
            new Tattach(1, 1, StyxConstants.NoFid, "glenda", "", 0),
            new Twalk(2, 1, 2, []),
            new Tlcreate(3, 2, "file", LinuxOpenFlags.ReadWrite, 0x1A4, 0),
        };
        var closedEarly = 0;
        for (var connection = 0; connection < 40; connection++)
        {
            using var socket = await rig.ConnectSocketAsync();
            var drain = DrainAsync(socket);
            var open = true;
            foreach (var message in setup) open &= await SendAsync(socket, StyxMessageWriter.ToArray(message, Dialect.Linux));
            for (var i = 0; i < 300 && open; i++) open = await SendAsync(socket, mutator.Next());
            if (!open) closedEarly++;
            socket.Shutdown(SocketShutdown.Send);
            await drain.WaitAsync(Bound, Ct);
        }
        await Task.WhenAll(rig.Runs.Skip(1)).WaitAsync(Bound, Ct); // none threw: a protocol error is recorded, not raised
        Assert.True(rig.Connections.Count(c => c.ProtocolError is not null) > 10, $"{closedEarly} closed early");

        // The link and the bystander are unharmed; every fid the hostile clients made is clunked on the server.
        Assert.True(rig.Link.IsAlive, rig.Link.EndReason);
        Assert.NotNull(await bystander.ListAsync("", Ct));
        await Eventually.TrueAsync(() => Task.FromResult(rig.Server.FidCount == 1 && rig.Link.Fids.InUse == 1), Bound,
            "only the bystander's fid left on the server", Ct);
    }

    private static async Task<bool> SendAsync(Socket socket, byte[] frame)
    {
        try
        {
            await socket.SendAsync(frame, SocketFlags.None);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task DrainAsync(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }
    }
}
