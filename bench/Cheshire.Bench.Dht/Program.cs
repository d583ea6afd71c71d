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
// optional: only these rows (comma-separated names), for profiling one operation
var only = args.Length > 3 ? args[3].Split(',') : null;

var options = new KademliaOptions { RateLimitPerSecond = 0 };
var identities = Enumerable.Range(0, nodes).Select(_ => NodeIdentity.Generate()).ToList();
var cluster = identities.Select(id => new KademliaNode(id, new UdpTransport(IPAddress.Loopback, 0), options)).ToList();
foreach (var node in cluster) await node.StartAsync();
foreach (var node in cluster.Skip(1)) await node.BootstrapAsync([cluster[0].EndPoint]);
// settled when every node knows every other (at most 10 s)
for (var waited = 0; waited < 200 && cluster.Any(n => n.RoutingTable.Count < nodes - 1); waited++) await Task.Delay(50);

var payload = new byte[100];
var plainKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-plain-{i}")).ToArray();
var signedKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-signed-{i}")).ToArray();
var sealedKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-sealed-{i}")).ToArray();
var absentKeys = Enumerable.Range(0, ops).Select(i => NodeId.Hash($"bench-absent-{i}")).ToArray();
using var recipient = EncryptionKeyPair.Generate();

async Task<bool> Put(int i, NodeId key, DhtValue value) =>
    (await cluster[i % nodes].PutAsync(key, value, republish: false)).Stored > 0;

// Warm-up on other keys so the measured rows see JIT-compiled (tier-1) code, as the C++ side always does.
var warmKeys = Enumerable.Range(0, 300).Select(i => NodeId.Hash($"bench-warm-{i}")).ToArray();
await Driver.RunAsync("warm-up", warmKeys.Length, inFlight, async i =>
{
    await Put(i, warmKeys[i], DhtValue.Signed(warmKeys[i], (ulong)i + 1, 1, payload, identities[i % nodes]));
    await Put(i, warmKeys[i], DhtValue.Encrypted(warmKeys[i], (ulong)i + 1000, payload, recipient.PublicKey, identities[i % nodes], 1));
    await foreach (var _ in cluster[(i + 3) % nodes].GetAsync(warmKeys[i])) { }
    return await Put(i, warmKeys[i], DhtValue.Plain((ulong)i + 2000, payload));
});
await Task.Delay(500); // let tiered compilation install the optimized code

var operations = new (string Name, Func<int, Task<bool>> Run)[]
{
    ("plain put", i => Put(i, plainKeys[i], DhtValue.Plain((ulong)i + 1, payload))),
    ("plain get", async i =>
    {
        await foreach (var _ in cluster[(i + 3) % nodes].GetAsync(plainKeys[i])) { }
        return true;
    }),
    ("signed put", i =>
        Put(i, signedKeys[i], DhtValue.Signed(signedKeys[i], (ulong)i + 1, 1, payload, identities[i % nodes]))),
    ("encrypted put", i =>
        Put(i, sealedKeys[i], DhtValue.Encrypted(sealedKeys[i], (ulong)i + 1, payload, recipient.PublicKey, identities[i % nodes], 1))),
    ("lookup", async i =>
    {
        await foreach (var _ in cluster[i % nodes].GetAsync(absentKeys[i])) { }
        return true;
    }),
};
var rows = new List<Row>();
using var allocs = Environment.GetEnvironmentVariable("BENCH_ALLOCS") is null ? null : new AllocListener();
foreach (var (name, run) in operations)
    if (only is null || only.Contains(name) || name == "plain put")
        rows.Add(await Driver.RunAsync(name, ops, inFlight, run));
if (allocs is not null) foreach (var (t, n) in allocs.ByType.OrderByDescending(x => x.Value).Take(40)) Console.Error.WriteLine($"{n / 1024,10} KiB {t}");
Console.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
{
    op = r.Op, ops = r.Ops, ok = r.Ok, seconds = r.Seconds, cpu_seconds = r.CpuSeconds, allocated_bytes = r.AllocatedBytes, ops_per_s = r.OpsPerSecond, p50_ms = r.P50Ms, p99_ms = r.P99Ms,
})));
foreach (var node in cluster) await node.DisposeAsync();
foreach (var identity in identities) identity.Dispose();
