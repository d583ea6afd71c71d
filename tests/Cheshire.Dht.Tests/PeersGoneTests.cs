using System.Diagnostics;
using Cheshire.Protos.Dht;

namespace Cheshire.Dht.Tests;

/// <summary>A node whose peers disappear keeps answering from what it holds, within bounded time.</summary>
public sealed class PeersGoneTests
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task GetPutAndListenStillAnswerAfterThePeersAreKilled()
    {
        await using var cluster = new DhtCluster();
        await cluster.InitializeAsync();
        var survivor = cluster[0];
        var key = Values.UniqueKey("orphan");
        await cluster[1].Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("replicated") }, deadline: Values.Deadline());

        await cluster[1].KillAsync();
        await cluster[2].KillAsync();

        var watch = Stopwatch.StartNew();
        var values = await survivor.Client.GetAllAsync(new GetRequest { Key = key }, seconds: (int)Bound.TotalSeconds);
        Assert.True(watch.Elapsed < Bound, $"get took {watch.Elapsed}");
        Assert.Equal("replicated", Assert.Single(values).Data.ToStringUtf8());

        watch.Restart();
        var put = await survivor.Client.PutAsync(new PutRequest { Key = key, Data = Values.Text("after") },
            deadline: DateTime.UtcNow + Bound);
        Assert.True(put.Stored >= 1, $"stored {put.Stored}");
        Assert.True(watch.Elapsed < Bound, $"put took {watch.Elapsed}");

        using var listen = survivor.Client.Listen(new ListenRequest { Key = key }, deadline: DateTime.UtcNow + Bound);
        var heard = new List<string>();
        while (heard.Count < 2)
        {
            var value = await Values.NextMatchingAsync(listen.ResponseStream, _ => true, Bound);
            heard.Add(value.Data.ToStringUtf8());
        }
        Assert.Equal(["after", "replicated"], heard.Order());
        Assert.Contains(await survivor.HealthAsync(), new[] { "Healthy", "Degraded" });
    }
}
