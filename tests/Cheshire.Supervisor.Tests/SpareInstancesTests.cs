using System.Globalization;
using Aspire.Hosting;
using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Cheshire.Protos.Modules;
using Cheshire.Testing;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A node whose dht runs as two instances and one spare (Cheshire:Instances:dht=2, Cheshire:SpareInstances:dht=1, as
/// module.json "instances"/"spareInstances" would say): dht-2 is declared but not started; styx-client and styx-root are
/// explicit-start to keep the node small.
/// </summary>
public sealed class SpareInstancesNodeFixture() : NodeFixture("spare-instances", StartedModules)
{
    public const int Instances = 2;
    public const string Spare = "dht-2";
    public static readonly string[] StartedModules = ["mainline-dht", "dht-0", "dht-1", "styx-provider"];

    /// <summary>dht-i listens on UdpPort + i (the spare included).</summary>
    public int UdpPort { get; } = FreePorts.UdpRange(Instances + 1);

    protected override IEnumerable<string> Settings =>
    [
        $"--Cheshire:Instances:dht={Instances}",
        "--Cheshire:SpareInstances:dht=1",
        "--Cheshire:Config:dht:Dht:Address=127.0.0.1",
        $"--Cheshire:Config:dht:Dht:Port={UdpPort.ToString(CultureInfo.InvariantCulture)}",
        "--Cheshire:ExplicitStart:styx-client=true",
        "--Cheshire:ExplicitStart:styx-root=true",
    ];
}

/// <summary>A spare instance: not running with the node, harmless to dependents, started at run time by Ensure.</summary>
public sealed class SpareInstancesTests(SpareInstancesNodeFixture node) : IClassFixture<SpareInstancesNodeFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static DateTime Deadline(int seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    private async Task<ModuleStatus> GetAsync(string name) =>
        await node.Modules.GetAsync(new ModuleRequest { Name = name }, deadline: Deadline(), cancellationToken: Ct);

    private async Task<Dht.DhtClient> DhtAsync(string name)
    {
        var status = await GetAsync(name);
        var grpc = status.Endpoints.First(e => e.Name == "grpc").Url;
        return new Dht.DhtClient(node.Channel(grpc));
    }

    [Fact]
    public async Task TheSpareStartsOnEnsureWithItsOwnIdAndFolderAndJoinsTheSameDht()
    {
        // Declared, listed, not started; dependents do not count it.
        var listed = await node.Modules.ListAsync(new ListModulesRequest(), deadline: Deadline(), cancellationToken: Ct);
        var spare = Assert.Single(listed.Modules, m => m.Name == SpareInstancesNodeFixture.Spare);
        Assert.Equal("dht", spare.Module);
        Assert.Equal(ModuleState.Stopped, spare.State);
        Assert.Equal(0, spare.ProcessId);
        Assert.Equal(["dht-0", "dht-1", "dht-2"], spare.Instances);
        Assert.True(spare.ExplicitStart, "the spare is not reported explicit-start");
        Assert.False(Assert.Single(listed.Modules, m => m.Name == "dht-0").ExplicitStart);
        Assert.False(Directory.Exists(Path.Combine(node.DataDirectory, SpareInstancesNodeFixture.Spare)));
        await Eventually.TrueAsync(async () => (await GetAsync("styx-provider")).Health == ModuleHealth.Healthy,
            TimeSpan.FromSeconds(30), "styx-provider healthy with the spare not running", Ct);

        // A value stored before the spare existed.
        var key = new Key { Name = "spare/" + Guid.NewGuid().ToString("N") };
        var dht0 = await DhtAsync("dht-0");
        await dht0.PutAsync(new PutRequest { Key = key, Data = ByteString.CopyFromUtf8("before the spare"), Kind = ValueKind.Signed },
            deadline: Deadline(), cancellationToken: Ct);

        // Ensuring a module that depends on dht starts what dependents use, not the spare.
        var client = await node.Modules.EnsureAsync(new ModuleRequest { Name = "styx-client" }, deadline: Deadline(120), cancellationToken: Ct);
        Assert.Equal(ModuleState.Running, client.State);
        Assert.Equal(ModuleState.Stopped, (await GetAsync(SpareInstancesNodeFixture.Spare)).State);

        var started = await node.Modules.EnsureAsync(new ModuleRequest { Name = SpareInstancesNodeFixture.Spare },
            deadline: Deadline(120), cancellationToken: Ct);
        Assert.Equal(ModuleState.Running, started.State);
        Assert.NotEqual(0, started.ProcessId);

        var spareDht = await DhtAsync(SpareInstancesNodeFixture.Spare);
        var info = await spareDht.NodeInfoAsync(new NodeInfoRequest(), deadline: Deadline(), cancellationToken: Ct);
        Assert.Equal($"127.0.0.1:{node.UdpPort + 2}", info.Endpoint);
        var siblingIds = new List<string>();
        foreach (var sibling in new[] { "dht-0", "dht-1" })
            siblingIds.Add((await (await DhtAsync(sibling)).NodeInfoAsync(new NodeInfoRequest(), deadline: Deadline(), cancellationToken: Ct)).Id);
        Assert.DoesNotContain(info.Id, siblingIds);
        // Its own routing key in its own data folder.
        Assert.True(Directory.Exists(Path.Combine(node.DataDirectory, SpareInstancesNodeFixture.Spare)));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(node.DataDirectory, SpareInstancesNodeFixture.Spare)));

        // It joined through its siblings: both are in its routing table, and the value stored through dht-0 is found.
        await Eventually.TrueAsync(async () =>
            (await spareDht.NodeInfoAsync(new NodeInfoRequest(), deadline: Deadline(), cancellationToken: Ct)).RoutingTableSize
                == SpareInstancesNodeFixture.Instances,
            TimeSpan.FromSeconds(30), "both siblings in the spare's routing table", Ct);
        using var get = spareDht.Get(new GetRequest { Key = key }, deadline: Deadline(), cancellationToken: Ct);
        var found = await get.ResponseStream.ReadAllAsync(Ct).ToListAsync(Ct);
        Assert.Equal("before the spare", Assert.Single(found).Data.ToStringUtf8());

        listed = await node.Modules.ListAsync(new ListModulesRequest(), deadline: Deadline(), cancellationToken: Ct);
        Assert.Equal(ModuleState.Running, Assert.Single(listed.Modules, m => m.Name == SpareInstancesNodeFixture.Spare).State);
    }
}
