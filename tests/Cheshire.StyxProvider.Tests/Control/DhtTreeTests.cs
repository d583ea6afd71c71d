using System.Security.Cryptography;
using System.Text;
using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.StyxProvider.Tests.Control;

/// <summary>/dht served from a real dht process, used over a real 9P connection.</summary>
public sealed class DhtTreeTests(ControlNodes nodes) : IClassFixture<ControlNodes>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(16);

    [Fact]
    public async Task NodeShowsTheDhtsIdAndEndpoint()
    {
        await using var session = await nodes.Server.ConnectAsync();

        var lines = (await session.ReadAsync("/dht/node")).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains($"id {nodes.Dht.Info.Id}", lines);
        Assert.Contains("address 127.0.0.1", lines);
        Assert.Contains($"port {nodes.Dht.UdpPort}", lines);
        Assert.Contains($"signingkey {nodes.Dht.Info.SigningKey}", lines);
    }

    [Fact]
    public async Task APutThroughCtlIsReadBackFromGet()
    {
        await using var session = await nodes.Server.ConnectAsync();
        var key = "greeting-" + Guid.NewGuid().ToString("N");

        var reply = await session.CommandAsync("/dht/ctl", $"put {key} hello, world");
        var signed = await session.CommandAsync("/dht/ctl", $"putsigned ttl=1h type=note {key} signed text");

        var expectedKey = "0x" + Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(key)));
        Assert.StartsWith($"key {expectedKey} id ", reply);
        Assert.Matches(@" stored [1-9]\d* asked \d+ errors ", reply);
        var values = (await session.ReadAsync($"/dht/get/{key}")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', 7)).ToList();
        Assert.Equal(2, values.Count);
        var plain = Assert.Single(values, v => v[1] == "plain");
        Assert.Equal("hello, world", plain[6]);
        Assert.Equal(reply.Split(' ')[3], plain[0]);
        var note = Assert.Single(values, v => v[1] == "signed");
        Assert.Equal(["signed", "note", "signed text"], [note[1], note[5], note[6]]);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(Convert.FromHexString(nodes.Dht.Info.SigningKey))), note[3]);
        Assert.InRange(int.Parse(note[4]), 3000, 3600);
        Assert.Contains(" seq ", signed);
        // the raw key names the same values
        Assert.Equal(2, (await session.ReadAsync($"/dht/get/{expectedKey}")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task AListenReadBlocksUntilAPutArrives()
    {
        await using var session = await nodes.Server.ConnectAsync();
        var key = "events-" + Guid.NewGuid().ToString("N");
        var listen = await session.OpenAsync($"/dht/listen/{key}", StyxOpenMode.Read);
        var buffer = new byte[8192];

        var first = session.Client.ReadAsync(listen, 0, buffer);
        // the server answers a later request while the read still waits
        await session.ReadAsync("/dht/node");
        Assert.False(first.IsCompleted, "the listen read returned before any value was put");
        await session.CommandAsync("/dht/ctl", $"put {key} first value");
        var line = Encoding.UTF8.GetString(buffer, 0, await first.WaitAsync(Bound));
        Assert.Matches(@"^[0-9a-f]{16} plain \d+ - (\d+|-) - first value\n$", line);

        var second = session.Client.ReadAsync(listen, (ulong)line.Length, buffer);
        await session.CommandAsync("/dht/ctl", $"put {key} second value");
        Assert.EndsWith(" second value\n", Encoding.UTF8.GetString(buffer, 0, await second.WaitAsync(Bound)));
        await session.Client.ClunkAsync(listen);
    }

    [Fact]
    public async Task AListenStaysOpenWhileNoValueArrives()
    {
        await using var session = await nodes.Server.ConnectAsync();
        var key = "quiet-" + Guid.NewGuid().ToString("N");
        var listen = await session.OpenAsync($"/dht/listen/{key}", StyxOpenMode.Read);
        var buffer = new byte[8192];

        var read = session.Client.ReadAsync(listen, 0, buffer);
        // longer than a module call's whole retry chain (5 attempts of ModuleClients.AttemptTimeout and the backoff):
        // a listen is not a call that must answer soon
        await Task.Delay(QuietPeriod);
        Assert.False(read.IsCompleted, read.IsFaulted ? read.Exception!.InnerException!.Message : "the read returned without a value");
        await session.CommandAsync("/dht/ctl", $"put {key} at last");

        Assert.EndsWith(" at last\n", Encoding.UTF8.GetString(buffer, 0, await read.WaitAsync(Bound)));
        await session.Client.ClunkAsync(listen);
    }

    [Fact]
    public async Task BadCommandsGiveReadableErrors()
    {
        await using var session = await nodes.Server.ConnectAsync();

        async Task<StyxErrorException> Refused(string command) =>
            await Assert.ThrowsAsync<StyxErrorException>(() => session.CommandAsync("/dht/ctl", command));

        var unknown = await Refused("frobnicate x");
        Assert.Equal(Errno.EINVAL, unknown.Errno);
        Assert.Equal("dht: unknown command 'frobnicate'; commands: put, putsigned, putencrypted, bootstrap", unknown.Message);
        Assert.Equal("dht: put: usage: put [ttl=D] [type=T] [id=HEX] KEY VALUE", (await Refused("put lonely-key")).Message);
        Assert.Contains("ttl=soon: not a duration", (await Refused("put ttl=soon k v")).Message);
        Assert.Contains("recipient 'nothex' is not a 32-byte X25519 public key", (await Refused("putencrypted k nothex v")).Message);
        // refused by the dht itself: its message comes through
        var tooLong = await Refused("put ttl=48h k v");
        Assert.Equal(Errno.EINVAL, tooLong.Errno);
        Assert.StartsWith("dht: ttl 2.00:00:00 is longer than", tooLong.Message);

        var readOnly = await Assert.ThrowsAsync<StyxErrorException>(() => session.OpenAsync("/dht/stats", StyxOpenMode.Write));
        Assert.Equal(Errno.EACCES, readOnly.Errno);
        Assert.Equal("stats is read-only", readOnly.Message);
        Assert.StartsWith("put [ttl=D]", await session.ReadAsync("/dht/ctl"));
    }

    [Fact]
    public async Task BootstrapThroughCtlPutsTheOtherNodeInRouting()
    {
        await using var session = await nodes.Server.ConnectAsync();
        var before = await session.StatAndReadAsync("/dht/routing");
        await session.StatAsync("/dht/routing");

        var reply = await session.CommandAsync("/dht/ctl", $"bootstrap {nodes.OtherDht.UdpEndpoint}");

        Assert.Matches(@"^answered 1 contacts [1-9]\d*\n$", reply);
        var routing = (await session.ReadAsync("/dht/routing")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(nodes.OtherDht.Info.Id, Encoding.UTF8.GetString(before.Content));
        var other = Assert.Single(routing, line => line.StartsWith(nodes.OtherDht.Info.Id + " ", StringComparison.Ordinal));
        Assert.Matches($@"^{nodes.OtherDht.Info.Id} {nodes.OtherDht.UdpEndpoint} \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ 0 \d+$", other);
    }

    [Fact]
    public async Task StatReportsTheLengthThatAReadGives()
    {
        await using var session = await nodes.Server.ConnectAsync();
        var key = "sized-" + Guid.NewGuid().ToString("N");
        await session.CommandAsync("/dht/ctl", $"put {key} some bytes");

        foreach (var path in new[] { "/dht/node", "/dht/stats", "/dht/routing", $"/dht/get/{key}", "/dht/ctl", "/mainline/stats", "/mainline/ctl" })
        {
            var (length, content) = await session.StatAndReadAsync(path);
            Assert.True(content.Length > 0 || path == "/dht/routing", $"{path} is empty");
            Assert.True((ulong)content.Length == length, $"{path}: stat says {length} bytes, a read gave {content.Length}");
        }
    }

    [Fact]
    public async Task TheDirectoryListsItsFilesWithStableDistinctQids()
    {
        await using var session = await nodes.Server.ConnectAsync();

        var directory = await session.OpenAsync("/dht", StyxOpenMode.Read);
        var entries = StatEntry.ReadDirectory(await session.Client.ReadAllAsync(directory), Dialect.Unix);
        await session.Client.ClunkAsync(directory);

        Assert.Equal(["ctl", "get", "listen", "node", "routing", "stats"], entries.Select(e => e.Name).Order());
        var a = (await session.StatAsync("/dht/get/a")).Qid;
        Assert.Equal(a, (await session.StatAsync("/dht/get/a")).Qid);
        var qids = entries.Select(e => e.Qid.Path)
            .Concat([a.Path, (await session.StatAsync("/dht/get/b")).Qid.Path, (await session.StatAsync("/dht/listen/a")).Qid.Path]);
        Assert.Equal(9, qids.Distinct().Count());
    }
}
