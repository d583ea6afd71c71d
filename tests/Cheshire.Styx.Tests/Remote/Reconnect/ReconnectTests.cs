using System.Text;
using Cheshire.Styx.Protocol;
using Cheshire.Styx.Remote;

namespace Cheshire.Styx.Tests.Remote.Reconnect;

/// <summary>
/// A remote 9P server (the project's on a Unix socket, and diod over TCP) killed and started again at the same address
/// and directory while a client of the namespace holds fids on it: open files read and write on, held nodes work,
/// files that are gone or replaced fail with ESTALE saying why, and a server that stays down is EIO until it is back.
/// </summary>
public sealed class ReconnectTests
{
    public static TheoryData<string> Servers => [RestartingServer.Styx, RestartingServer.Diod];

    private static async Task<(RestartingServer Server, ThroughNamespace Client)> StartAsync(string kind)
    {
        var server = await RestartingServer.StartAsync(kind);
        var remote = RemoteFileSystem.Create(server.Dial, server.Aname, "root", server.Options);
        return (server, await ThroughNamespace.StartAsync(remote));
    }

    private static async Task StopAsync(RestartingServer server, ThroughNamespace client)
    {
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task AnOpenFileReadsOnAndAHeldDirectoryWorksAfterTheServerRestarts(string kind)
    {
        var (server, client) = await StartAsync(kind);
        try
        {
            var data = new byte[200_000];
            new Random(10).NextBytes(data);
            await File.WriteAllBytesAsync(server.PathOf("big"), data);
            Directory.CreateDirectory(server.PathOf("sub"));
            await File.WriteAllTextAsync(server.PathOf("sub/inner"), "inside");
            var file = await client.OpenAsync("r/big", StyxOpenMode.Read);
            var first = await client.ReadAsync(file, 0, 70_000);
            var directory = await client.Fs.WalkAsync("r/sub");

            await server.RestartAsync();

            var rest = await client.ReadAsync(file, first.Length, data.Length);
            Assert.Equal(data, first.Concat(rest).ToArray());
            Assert.Equal("sub", (await client.Client.StatAsync(directory)).Name);
            var inner = client.Client.NewFid();
            await client.Client.WalkAsync(directory, inner, ["inner"]);
            await client.Client.OpenAsync(inner, StyxOpenMode.Read);
            Assert.Equal("inside", Encoding.UTF8.GetString(await client.ReadAsync(inner, 0, 100)));
        }
        finally
        {
            await StopAsync(server, client);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task AWriteAfterTheRestartLandsAtItsOffsetAndTheReopenDoesNotTruncate(string kind)
    {
        var (server, client) = await StartAsync(kind);
        try
        {
            await File.WriteAllTextAsync(server.PathOf("w"), "old content, longer than what is written");
            var file = await client.OpenAsync("r/w", StyxOpenMode.Write | StyxOpenMode.Truncate);
            await client.Client.WriteAllAsync(file, 0, "abc"u8.ToArray());

            await server.RestartAsync();

            await client.Client.WriteAllAsync(file, 3, "def"u8.ToArray());
            Assert.Equal("abcdef", await File.ReadAllTextAsync(server.PathOf("w")));
        }
        finally
        {
            await StopAsync(server, client);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task AFileRemovedDuringTheOutageIsStale(string kind)
    {
        var (server, client) = await StartAsync(kind);
        try
        {
            await File.WriteAllTextAsync(server.PathOf("gone"), "soon gone");
            var file = await client.OpenAsync("r/gone", StyxOpenMode.Read);
            Assert.Equal("soon"u8.ToArray(), await client.ReadAsync(file, 0, 4));

            await server.KillAsync();
            File.Delete(server.PathOf("gone"));
            await server.StartAsync();

            var error = await ThroughNamespace.ErrorOf(() => client.ReadAsync(file, 4, 5));
            Assert.Equal(Errno.ESTALE, error.Errno);
            Assert.Equal("/gone was removed or renamed while the connection to the remote 9P server was lost", error.Message);
            await client.Client.ClunkAsync(file);
        }
        finally
        {
            await StopAsync(server, client);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task AFileReplacedUnderItsNameIsStaleAndTheOtherFileIsNotRead(string kind)
    {
        var (server, client) = await StartAsync(kind);
        try
        {
            await File.WriteAllTextAsync(server.PathOf("f"), "original");
            var file = await client.OpenAsync("r/f", StyxOpenMode.Read);
            Assert.Equal("orig"u8.ToArray(), await client.ReadAsync(file, 0, 4));

            await server.KillAsync();
            await File.WriteAllTextAsync(server.PathOf("f.new"), "replacement");
            File.Move(server.PathOf("f.new"), server.PathOf("f"), overwrite: true); // as an editor saves
            await server.StartAsync();

            var error = await ThroughNamespace.ErrorOf(() => client.ReadAsync(file, 4, 100));
            Assert.Equal(Errno.ESTALE, error.Errno);
            Assert.StartsWith("/f is another file since the connection to the remote 9P server was lost (qid.path ", error.Message);
            Assert.Equal(Errno.ESTALE, (await ThroughNamespace.ErrorOf(() => client.ReadAsync(file, 0, 100))).Errno);
            Assert.Equal("replacement", await File.ReadAllTextAsync(server.PathOf("f")));
            Assert.Equal("replacement", await client.Fs.ReadTextAsync("r/f"));
        }
        finally
        {
            await StopAsync(server, client);
        }
    }

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task AServerThatStaysDownIsEioAndTheSameFidsWorkOnceItIsBack(string kind)
    {
        var (server, client) = await StartAsync(kind);
        try
        {
            await File.WriteAllTextAsync(server.PathOf("f"), "still the same file");
            var file = await client.OpenAsync("r/f", StyxOpenMode.Read);
            Assert.Equal("still"u8.ToArray(), await client.ReadAsync(file, 0, 5));
            var root = await client.Fs.WalkAsync("r");

            await server.KillAsync();

            for (var i = 0; i < 2; i++)
            {
                var error = await ThroughNamespace.ErrorOf(() => client.ReadAsync(file, 5, 100));
                Assert.Equal(Errno.EIO, error.Errno);
                Assert.StartsWith("cannot attach to the remote 9P server: ", error.Message);
                Assert.Equal(Errno.EIO, (await ThroughNamespace.ErrorOf(() => client.Client.StatAsync(root))).Errno);
            }

            await server.StartAsync();

            Assert.Equal(" the same file"u8.ToArray(), await client.ReadAsync(file, 5, 100));
            Assert.Equal(["f"], (await client.Fs.ListAsync("r")).Order());
            Assert.True((await client.Client.StatAsync(root)).Qid.IsDirectory);
        }
        finally
        {
            await StopAsync(server, client);
        }
    }
}
