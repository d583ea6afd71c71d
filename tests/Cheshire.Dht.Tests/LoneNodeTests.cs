using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cheshire.Protos.Dht;
using Grpc.Core;

namespace Cheshire.Dht.Tests;

/// <summary>Single service processes: limits, persistence across a restart, joining through the Bootstrap call.</summary>
public sealed class LoneNodeTests
{
    [Fact]
    public async Task ALoneNodeStoresLocallyAndReportsItselfDegraded()
    {
        await using var node = await DhtProcess.StartAsync();
        var put = await node.Client.PutAsync(new PutRequest { Key = Values.UniqueKey(), Data = Values.Text("alone") }, deadline: Values.Deadline());

        Assert.Equal(1, put.Stored);
        Assert.Equal(0, node.Info.RoutingTableSize);
        Assert.Equal("Degraded", await node.HealthAsync());
    }

    [Fact]
    public async Task AnEngineLimitIsResourceExhaustedWithTheEnginesMessage()
    {
        await using var node = await DhtProcess.StartAsync(["--Dht:Kademlia:MaxValuesPerKey=2"]);
        var key = Values.UniqueKey("full");
        for (var i = 0; i < 2; i++)
            await node.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text($"v{i}") }, deadline: Values.Deadline());

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            node.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("one too many") }, deadline: Values.Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("TOO_MANY_VALUES", error.Status.Detail);
        Assert.Equal(2, (await node.Client.GetAllAsync(new GetRequest { Key = key })).Count);
    }

    [Fact]
    public async Task TwoLoneNodesJoinThroughTheBootstrapCall()
    {
        await using var a = await DhtProcess.StartAsync();
        await using var b = await DhtProcess.StartAsync();

        var reply = await b.Client.BootstrapAsync(new BootstrapRequest { Endpoints = { a.UdpEndpoint } }, deadline: Values.Deadline());
        Assert.Equal(1, reply.Answered);
        Assert.Equal(1, reply.RoutingTableSize);

        var table = await a.Client.RoutingTableAsync(new RoutingTableRequest(), deadline: Values.Deadline());
        Assert.Equal(a.Info.Id, table.Self);
        var contact = Assert.Single(table.Buckets.SelectMany(x => x.Contacts));
        Assert.Equal(b.Info.Id, contact.Id);
        Assert.Equal(b.UdpEndpoint, contact.Endpoint);

        var key = Values.UniqueKey("joined");
        await a.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("across") }, deadline: Values.Deadline());
        Assert.Equal("across", Assert.Single(await b.Client.GetAllAsync(new GetRequest { Key = key })).Data.ToStringUtf8());
        Assert.Equal("Healthy", await b.HealthAsync());
    }

    [Fact]
    public async Task ABootstrapNobodyAnswersFailsUnavailableQuickly()
    {
        await using var node = await DhtProcess.StartAsync();
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0)); // bound, never answers

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<RpcException>(() => node.Client.BootstrapAsync(
            new BootstrapRequest { Endpoints = { silent.LocalEndPoint!.ToString()! } }, deadline: Values.Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("none of the 1 endpoints answered", error.Status.Detail);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task IdentityAndValuesSurviveARestart()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "cheshire-dht-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var key = Values.UniqueKey("kept");
            string id;
            await using (var first = await DhtProcess.StartAsync(dataDirectory: dataDirectory))
            {
                id = first.Info.Id;
                await first.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("still here"), Kind = ValueKind.Signed },
                    deadline: Values.Deadline());
                await first.StopAsync();
            }
            await using var second = await DhtProcess.StartAsync(dataDirectory: dataDirectory);

            Assert.Equal(id, second.Info.Id);
            Assert.True(File.Exists(Path.Combine(dataDirectory, "dht", "dht.sqlite")));
            var value = Assert.Single(await second.Client.GetAllAsync(new GetRequest { Key = key }));
            Assert.Equal("still here", value.Data.ToStringUtf8());
        }
        finally
        {
            if (Directory.Exists(dataDirectory)) Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
