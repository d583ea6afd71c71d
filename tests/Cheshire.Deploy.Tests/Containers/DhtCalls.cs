using System.Text;
using Cheshire.Protos.Dht;
using Google.Protobuf;
using Grpc.Core;

namespace Cheshire.Deploy.Tests.Containers;

/// <summary>Puts and gets through a dht's gRPC API, as a user's client makes them.</summary>
public static class DhtCalls
{
    /// <summary>Puts <paramref name="text"/> under a new name; fails unless at least <paramref name="stored"/> nodes stored it.</summary>
    public static async Task<string> PutAsync(Dht.DhtClient dht, string text, CancellationToken ct, int stored = 2)
    {
        var name = $"rehearsal/{Guid.NewGuid():N}";
        var reply = await dht.PutAsync(new PutRequest { Key = new Key { Name = name }, Data = ByteString.CopyFromUtf8(text) },
            deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
        if (reply.Stored < stored) throw new InvalidOperationException($"stored on {reply.Stored} of {reply.Asked} nodes");
        return name;
    }

    public static async Task<string> GetAsync(Dht.DhtClient dht, string name, CancellationToken ct)
    {
        using var call = dht.Get(new GetRequest { Key = new Key { Name = name } }, deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: ct);
        await foreach (var value in call.ResponseStream.ReadAllAsync(ct))
            return Encoding.UTF8.GetString(value.Data.Span);
        throw new InvalidOperationException($"no value under {name}");
    }
}
