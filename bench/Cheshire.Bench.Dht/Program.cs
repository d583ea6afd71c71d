using System.Net;
using System.Text.Json;
using Cheshire.Bench.Dht;
using Cheshire.Identity;
using Cheshire.Kademlia;
using Cheshire.Kademlia.Transport;
using Cheshire.Kademlia.Values;

// Cheshire side of bench/dht-vs-opendht.sh: N Kademlia nodes in this process on 127.0.0.1 (UDP),
// rate limit off, each operation driven with a fixed number in flight. Prints one JSON line.
var nodes = args.Length > 0 ? int.Parse(args[0]) : 10;
var ops = args.Length > 1 ? int.Parse(args[1]) : 1000;
var inFlight = args.Length > 2 ? int.Parse(args[2]) : 50;

var options = new KademliaOptions { RateLimitPerSecond = 0 };
var identities = Enumerable.Range(0, nodes).Select(_ => NodeIdentity.Generate()).ToList();
var cluster = identities.Select(id => new KademliaNode(id, new UdpTransport(IPAddress.Loopback, 0), options)).ToList();
foreach (var node in cluster) await node.StartAsync();
foreach (var node in cluster.Skip(1)) await node.BootstrapAsync([cluster[0].EndPoint]);
await Task.Delay(1000);

var payload = new byte[100];
var plainKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-plain-{i}")).ToArray();
var signedKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-signed-{i}")).ToArray();
var sealedKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-sealed-{i}")).ToArray();
var absentKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-absent-{i}")).ToArray();
using var recipient = EncryptionKeyPair.Generate();

async Task<bool> Put(int i, NodeId key, DhtValue value) =>
    (await cluster[i % nodes].PutAsync(key, value, republish: false)).Stored > 0;

var rows = new List<Row>
{
    await Driver.RunAsync("plain put", ops, inFlight, i => Put(i, plainKeys[i], DhtValue.Plain((ulong)i + 1, payload))),
    await Driver.RunAsync("plain get", ops, inFlight, async i =>
    {
        await foreach (var _ in cluster[(i + 3) % nodes].GetAsync(plainKeys[i])) { }
        return true;
    }),
    await Driver.RunAsync("signed put", ops, inFlight, i =>
        Put(i, signedKeys[i], DhtValue.Signed(signedKeys[i], (ulong)i + 1, 1, payload, identities[i % nodes]))),
    await Driver.RunAsync("encrypted put", ops, inFlight, i =>
        Put(i, sealedKeys[i], DhtValue.Encrypted(sealedKeys[i], (ulong)i + 1, payload, recipient.PublicKey, identities[i % nodes], 1))),
    await Driver.RunAsync("lookup", ops, inFlight, async i =>
    {
        await foreach (var _ in cluster[i % nodes].GetAsync(absentKeys[i])) { }
        return true;
    }),
};
Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
{
    op = r.Op, ops = r.Ops, ok = r.Ok, seconds = r.Seconds, ops_per_s = r.OpsPerSecond, p50_ms = r.P50Ms, p99_ms = r.P99Ms,
})));
foreach (var node in cluster) await node.DisposeAsync();
foreach (var identity in identities) identity.Dispose();
