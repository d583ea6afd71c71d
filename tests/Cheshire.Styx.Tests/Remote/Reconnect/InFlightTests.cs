using System.Text;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// A request in flight when the connection to the remote server drops (the server stays up, as when a link breaks):
/// reads, writes at an offset, stats and directory listings are sent again on a new connection, and the client that
/// asked gets its answer instead of EIO.
/// </summary>
public sealed class InFlightTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(HeldFileSystem.Read)]
    [InlineData(HeldFileSystem.Write)]
    [InlineData(HeldFileSystem.Stat)]
    [InlineData(HeldFileSystem.List)]
    public async Task ARequestTheDroppedConnectionInterruptedIsAnsweredOnTheNextOne(string operation)
    {
        var tree = new HeldFileSystem(Encoding.UTF8.GetBytes("0123456789"));
        await using var server = new StyxSocketServer(() => tree);
        server.Start();
        var remote = RemoteFileSystem.Create(RemoteFileSystem.UnixDialer(server.SocketPath), options: new RemoteOptions { ConnectTimeout = Bound });
        await using var client = await ThroughNamespace.StartAsync(remote);
        var file = await client.OpenAsync("r/held", StyxOpenMode.ReadWrite);
        Assert.Equal("0123"u8.ToArray(), await client.ReadAsync(file, 0, 4));
        Assert.Equal(1, server.Connections);

        var started = tree.Arm(operation);
        Task<string> call = operation switch
        {
            HeldFileSystem.Read => Task.Run(async () => Encoding.UTF8.GetString(await client.ReadAsync(file, 4, 100))),
            HeldFileSystem.Write => Task.Run(async () =>
            {
                await client.Client.WriteAllAsync(file, 8, "ab"u8.ToArray());
                return Encoding.UTF8.GetString(tree.Content);
            }),
            HeldFileSystem.Stat => Task.Run(async () => (await client.Client.StatAsync(file)).Length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            _ => Task.Run(async () => string.Join(",", await client.Fs.ListAsync("r"))),
        };
        await started.WaitAsync(Bound);
        await server.DropConnectionsAsync(closed: tree.ReleaseHeld); // a directory read is not cancelled with its connection

        var expected = operation switch
        {
            HeldFileSystem.Read => "456789",
            HeldFileSystem.Write => "01234567ab",
            HeldFileSystem.Stat => "10",
            _ => "held",
        };
        Assert.Equal(expected, await call.WaitAsync(Bound));
        Assert.Equal(2, server.Connections);
        Assert.Equal("01234567"u8.ToArray(), await client.ReadAsync(file, 0, 8)); // the same fid, on the new connection
    }
}
