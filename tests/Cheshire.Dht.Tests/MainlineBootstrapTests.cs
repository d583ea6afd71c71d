using Cheshire.Protos.Dht;
using Cheshire.Testing;

namespace Cheshire.Dht.Tests;

/// <summary>
/// Two dht processes, each pointed only at its own mainline-dht process (the two mainline nodes know each other),
/// find each other through mainline-dht's FindCheshirePeers: no Dht:Bootstrap anywhere.
/// </summary>
public sealed class MainlineBootstrapTests
{
    public static readonly TimeSpan FindTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TwoDhtNodesFindEachOtherThroughMainlineDht()
    {
        var ct = TestContext.Current.CancellationToken;
        var salt = "dht-tests-" + Guid.NewGuid().ToString("N");
        int dhtPortA = FreePorts.Udp(), dhtPortB = FreePorts.Udp();
        int mainlinePortA = FreePorts.Udp(), mainlinePortB = FreePorts.Udp();

        await using var mainlineA = await StartMainlineAsync(mainlinePortA, mainlinePortB, dhtPortA, salt, ct);
        await using var mainlineB = await StartMainlineAsync(mainlinePortB, mainlinePortA, dhtPortB, salt, ct);
        await using var a = await DhtProcess.StartAsync([MainlineAddress(mainlineA)], udpPort: dhtPortA);
        await using var b = await DhtProcess.StartAsync([MainlineAddress(mainlineB)], udpPort: dhtPortB);

        var deadline = DateTime.UtcNow + FindTimeout;
        while (true)
        {
            var infos = await Task.WhenAll(a.RefreshInfoAsync(), b.RefreshInfoAsync());
            if (infos.All(i => i.RoutingTableSize >= 1)) break;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"routing tables {infos[0].RoutingTableSize}, {infos[1].RoutingTableSize} after {FindTimeout}:\n" +
                            $"dht A:\n{a.Output}\ndht B:\n{b.Output}\nmainline A:\n{mainlineA.Output}\nmainline B:\n{mainlineB.Output}");
            await Task.Delay(500, ct);
        }

        var table = await a.Client.RoutingTableAsync(new RoutingTableRequest(), deadline: Values.Deadline(), cancellationToken: ct);
        Assert.Contains(table.Buckets.SelectMany(bucket => bucket.Contacts), c => c.Id == b.Info.Id);

        var key = Values.UniqueKey("via-mainline");
        var put = await a.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("found through mainline") },
            deadline: Values.Deadline(), cancellationToken: ct);
        Assert.Equal(2, put.Stored);
        var got = await b.Client.GetAllAsync(new GetRequest { Key = key });
        Assert.Equal("found through mainline", Assert.Single(got).Data.ToStringUtf8());
        Assert.False(a.HasExited || b.HasExited);
    }

    private static string MainlineAddress(ModuleProcess mainline) =>
        $"--services:mainline-dht:grpc:0={mainline.GrpcAddress.ToString().TrimEnd('/')}";

    private static async Task<ModuleProcess> StartMainlineAsync(int udpPort, int otherUdpPort, int dhtPort, string salt, CancellationToken ct)
    {
        var process = ModuleProcess.Start(ModuleProcess.ModuleDll("mainline-dht", "Cheshire.MainlineDht"), new Dictionary<string, string>
        {
            ["Mainline:Endpoint"] = $"127.0.0.1:{udpPort}",
            ["Mainline:Bootstrap:0"] = $"127.0.0.1:{otherUdpPort}",
            ["Mainline:QueryTimeout"] = "00:00:01",
            ["Mainline:CheshireDhtPort"] = dhtPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mainline:RateLimits:PerIpQueriesPerSecond"] = "100000",
            ["Mainline:RateLimits:PerIpBurst"] = "100000",
            ["Cheshire:Salt"] = salt,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        try
        {
            await process.WaitHealthyAsync(TimeSpan.FromSeconds(60), ct);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
        return process;
    }
}
