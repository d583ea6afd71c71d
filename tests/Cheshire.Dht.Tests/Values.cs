using System.Text;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.Dht.Tests;

/// <summary>Request builders and stream readers shared by the tests.</summary>
public static class Values
{
    public static Key UniqueKey(string prefix = "test") => new() { Name = $"{prefix}/{Guid.NewGuid():N}" };

    public static ByteString Text(string text) => ByteString.CopyFrom(Encoding.UTF8.GetBytes(text));

    public static DateTime Deadline(int seconds = 20) => DateTime.UtcNow.AddSeconds(seconds);

    /// <summary>Every value a Get streams, until the stream ends.</summary>
    public static async Task<List<Value>> GetAllAsync(this Protos.Dht.Dht.DhtClient client, GetRequest request, int seconds = 20)
    {
        using var call = client.Get(request, deadline: Deadline(seconds));
        var values = new List<Value>();
        await foreach (var value in call.ResponseStream.ReadAllAsync()) values.Add(value);
        return values;
    }

    /// <summary>Reads a Listen stream until <paramref name="until"/> holds for a value; throws on timeout.</summary>
    public static async Task<Value> NextMatchingAsync(IAsyncStreamReader<Value> stream, Func<Value, bool> until, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (await stream.MoveNext(cts.Token))
            if (until(stream.Current)) return stream.Current;
        throw new InvalidOperationException("the listen stream ended");
    }
}
