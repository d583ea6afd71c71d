using Cheshire.Styx.FileSystem;
using Cheshire.Styx.FileSystem.Ram;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.Tests.Ram;

/// <summary>A <see cref="RamFileSystem"/> (or any tree holding one) served on 127.0.0.1, attached to by several users.</summary>
internal sealed class RamHarness : IAsyncDisposable
{
    private readonly List<UserClient> _clients = [];

    private RamHarness(RamFileSystem fs, LoopbackServer server)
    {
        Fs = fs;
        Server = server;
    }

    public RamFileSystem Fs { get; }
    public LoopbackServer Server { get; }

    public static RamHarness Start(RamFileSystem? fs = null, IFileSystem? served = null)
    {
        fs ??= new RamFileSystem();
        return new RamHarness(fs, new LoopbackServer(served ?? fs));
    }

    /// <summary>Attaches as <paramref name="uid"/> (n_uname, as Linux's v9fs with access=user does) over a new connection.</summary>
    public async Task<UserClient> AttachAsync(uint uid, string version = DialectNames.Linux, string uname = "")
    {
        var client = new UserClient(await Server.ConnectAsync(version), uid);
        await client.Client.AttachAsync(client.Root, uname, "", uid);
        lock (_clients) _clients.Add(client);
        return client;
    }

    /// <summary>Attaches by name only (plain 9P2000 has no numeric uid).</summary>
    public async Task<UserClient> AttachByNameAsync(string uname)
    {
        var client = new UserClient(await Server.ConnectAsync(DialectNames.Styx2000), uint.MaxValue);
        await client.Client.AttachAsync(client.Root, uname, "");
        lock (_clients) _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        await Server.DisposeAsync();
    }

    public static async Task<Errno> ErrnoOf(Func<Task> action) => (await Assert.ThrowsAsync<StyxErrorException>(action)).Errno;
}
