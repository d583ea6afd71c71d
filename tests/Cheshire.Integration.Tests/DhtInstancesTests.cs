using Cheshire.Identity;
using Cheshire.Protos;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.Integration.Tests;

[Collection(nameof(WholeNodeCollection))]
public sealed class DhtInstancesTests(DhtInstancesFixture node) : IClassFixture<DhtInstancesFixture>
{
    private static DateTime Deadline(int seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    [Fact]
    public async Task TheInstancesFormOneNetworkWithDistinctIdsButOneNodeId()
    {
        var ct = TestContext.Current.CancellationToken;
        using var expected = NodeIdentityStore.LoadOrCreate(node.DataDirectory);
        var infos = new List<NodeInfoReply>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        for (var i = 0; i < DhtInstancesFixture.Instances; i++)
        {
            var client = node.Dht(i);
            Assert.Equal(expected.NodeIdHex, (await client.GetInfoAsync(new GetInfoRequest(), deadline: Deadline(), cancellationToken: ct)).NodeId);
            var info = await client.NodeInfoAsync(new NodeInfoRequest(), deadline: Deadline(), cancellationToken: ct);
            while (info.RoutingTableSize < DhtInstancesFixture.Instances - 1 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, ct);
                info = await client.NodeInfoAsync(new NodeInfoRequest(), deadline: Deadline(), cancellationToken: ct);
            }
            infos.Add(info);
        }

        Assert.Equal(DhtInstancesFixture.Instances, infos.Select(i => i.Id).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, DhtInstancesFixture.Instances).Select(i => $"127.0.0.1:{DhtInstancesFixture.UdpPort + i}"),
            infos.Select(i => i.Endpoint));
        Assert.All(infos, i => Assert.Equal(DhtInstancesFixture.Instances - 1, i.RoutingTableSize));
        Assert.All(infos, i => Assert.Equal(expected.PublicKey, Convert.FromHexString(i.SigningKey)));
    }

    [Fact]
    public async Task APutOnOneInstanceIsFoundAndHeardOnTheOthers()
    {
        var ct = TestContext.Current.CancellationToken;
        var key = new Key { Name = "integration/" + Guid.NewGuid().ToString("N") };
        await node.Dht(0).PutAsync(new PutRequest { Key = key, Data = ByteString.CopyFromUtf8("first"), Kind = ValueKind.Signed },
            deadline: Deadline(), cancellationToken: ct);

        using var listenCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        listenCts.CancelAfter(TimeSpan.FromSeconds(60));
        using var listen = node.Dht(1).Listen(new ListenRequest { Key = key }, cancellationToken: listenCts.Token);
        Assert.True(await listen.ResponseStream.MoveNext(listenCts.Token));
        Assert.Equal("first", listen.ResponseStream.Current.Data.ToStringUtf8());

        using var get = node.Dht(2).Get(new GetRequest { Key = key }, deadline: Deadline(), cancellationToken: ct);
        var found = await get.ResponseStream.ReadAllAsync(ct).ToListAsync(ct);
        Assert.Equal("first", Assert.Single(found).Data.ToStringUtf8());
        Assert.Equal(ValueKind.Signed, found[0].Kind);

        await node.Dht(2).PutAsync(new PutRequest { Key = key, Data = ByteString.CopyFromUtf8("second") }, deadline: Deadline(), cancellationToken: ct);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(10));
        Assert.True(await listen.ResponseStream.MoveNext(wait.Token));
        Assert.Equal("second", listen.ResponseStream.Current.Data.ToStringUtf8());
    }
}
