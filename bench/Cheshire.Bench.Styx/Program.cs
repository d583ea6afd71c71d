using System.Diagnostics;
using System.Globalization;
using Cheshire.Bench.Styx;
using Cheshire.Styx.Protocol;

// Default: styx-root (in-memory /tmp) against diod (a directory) on loopback, the same files, the same clients.
// --provider: diod, styx-provider exporting that same directory (its own 9P listener), and styx-root → provider twice:
// delegated (the provider's default: styx-root took the export's root descriptor and serves /export itself) and relayed
// (a second styx-root and provider with Provider:DelegateExports=false: styx-root forwards every 9P message to the
// provider over its Unix socket). The last column, delegated / relayed, is what the extra hop costs.
// --link: two nodes (see LinkNodes): "A local" (A's styx-root → A's provider) against "B→A" (B's styx-root → B's
// styx-client → TLS link → A's styx-client → A's provider), the same export; no diod.
var sizeMiB = ArgInt("--size-mib", 256);
var smallFiles = ArgInt("--small-files", 1000);
var operations = ArgInt("--operations", 20000);
var repeat = ArgInt("--repeat", 3);
var providerMode = args.Contains("--provider");
var linkMode = args.Contains("--link");
// --rows 1,4: only those rows of the table (1-based), for quick checks while working on one path.
var onlyRows = ArgString("--rows") is { } list ? list.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToHashSet() : null;
var size = sizeMiB * 1024L * 1024;
var repoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

var work = Directory.CreateTempSubdirectory("cheshire-bench-styx-");
var export = Directory.CreateDirectory(Path.Combine(work.FullName, "export")).FullName;
Console.WriteLine($"files: one of {sizeMiB} MiB, {smallFiles} of 4 KiB; {operations} small-file operations; best of {repeat}");
var random = new Random(9);
var big = new byte[size];
random.NextBytes(big);
await File.WriteAllBytesAsync(Path.Combine(export, "big"), big);
big = [];
var small = new byte[4096];
for (var i = 0; i < smallFiles; i++)
{
    random.NextBytes(small);
    await File.WriteAllBytesAsync(Path.Combine(export, Measurements.SmallName(i)), small);
}

if (linkMode)
{
    var nodes = LinkNodes.Start(repoRoot, work.FullName, export);
    try
    {
        await nodes.Local.WaitListeningAsync();
        await nodes.Remote.WaitListeningAsync();
        await WaitReadableAsync(nodes.Local, TimeSpan.FromSeconds(60));
        // B finds /export through its dht once A has published it: resolving and dialing A can take a while.
        var resolved = Stopwatch.StartNew();
        await WaitReadableAsync(nodes.Remote, TimeSpan.FromSeconds(180));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"B reads A's /export after {resolved.Elapsed.TotalSeconds:F1} s"));
        await RunAsync([nodes.Local, nodes.Remote], nodes.Processes);
    }
    finally
    {
        foreach (var (_, process) in nodes.Processes.Reverse())
            Server.Stop(process);
        work.Delete(recursive: true);
    }
    return;
}

var diod = Server.StartDiod(export);
var root = Server.StartStyxRoot(repoRoot, Path.Combine(work.FullName, "node"), out var rootGrpc);
var provider = providerMode ? Server.StartProvider(repoRoot, Path.Combine(work.FullName, "provider"), export, rootGrpc) : null;
Server? relayRoot = null, relayProvider = null;
if (providerMode)
{
    relayRoot = Server.StartStyxRoot(repoRoot, Path.Combine(work.FullName, "node-relayed"), out var relayGrpc);
    relayProvider = Server.StartProvider(repoRoot, Path.Combine(work.FullName, "provider-relayed"), export, relayGrpc, delegateExports: false);
}
List<Server> servers;
try
{
    await diod.WaitListeningAsync();
    await root.WaitListeningAsync();
    if (provider is null)
    {
        await CopyIntoAsync(root, export);
        servers = [diod, root];
    }
    else
    {
        await provider.WaitListeningAsync();
        await relayRoot!.WaitListeningAsync();
        await relayProvider!.WaitListeningAsync();
        var delegated = Server.ThroughRoot(root, provider, "root→provider delegated");
        var relayed = Server.ThroughRoot(relayRoot, relayProvider, "root→provider relayed");
        await WaitReadableAsync(delegated, TimeSpan.FromSeconds(60));
        await WaitReadableAsync(relayed, TimeSpan.FromSeconds(60));
        servers = [diod, provider, delegated, relayed];
    }
    await RunAsync(servers, [.. new[] { diod, root, provider, relayRoot, relayProvider }.OfType<Server>().SelectMany(s => s.Processes).DistinctBy(p => p.Process.Id)]);
}
finally
{
    foreach (var (_, process) in new[] { relayProvider, relayRoot, provider, diod, root }.SelectMany(s => s?.Processes ?? []))
        Server.Stop(process);
    work.Delete(recursive: true);
}

// The first server is the baseline every other is divided by; with three, the third is also divided by the second; with
// four (provider mode), the third by the fourth (delegated / relayed).
async Task RunAsync(List<Server> servers, IReadOnlyList<(string Name, Process Process)> all)
{
    var rows = new List<(string Name, string Unit, double[] Best, double[][] Cpu)>();
    var rowNumber = 0;
    async Task Row(string name, string unit, Func<Server, Task<double>> measure)
    {
        if (onlyRows is not null && !onlyRows.Contains(++rowNumber)) return;
        var results = servers.Select(_ => new List<double>()).ToArray();
        var cpu = servers.Select(s => new double[s.Processes.Count]).ToArray();
        // Alternate the servers within each round so machine load falls on all of them alike.
        for (var round = 0; round < repeat; round++)
            for (var s = 0; s < servers.Count; s++)
            {
                var before = servers[s].CpuSeconds();
                results[s].Add(await measure(servers[s]));
                var after = servers[s].CpuSeconds();
                for (var p = 0; p < before.Length; p++) cpu[s][p] += after[p] - before[p];
            }
        var best = results.Select(r => r.Max()).ToArray();
        rows.Add((name, unit, best, cpu));
        Console.WriteLine($"  {name}: " + string.Join(", ", servers.Select((s, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Name} {best[i]:F1} {unit} (rounds {string.Join(" ", results[i].Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))})"))));
    }

    await Row("sequential read, 1 in flight (Cheshire client)", "MB/s", s => Measurements.SequentialReadAsync(s, "big", size, 1));
    await Row("sequential read, 4 in flight (Cheshire client)", "MB/s", s => Measurements.SequentialReadAsync(s, "big", size, 4));
    if (servers[0].Name == "diod")
        await Row("sequential read (diodcat)", "MB/s", s => Measurements.DiodcatAsync(s, "big", size));
    else
        rowNumber++;
    await Row("walk+open+read 4K+clunk, 1 loop", "ops/s", s => Measurements.SmallFileLoopAsync(s, smallFiles, operations, 1));
    await Row("walk+open+read 4K+clunk, 16 loops", "ops/s", s => Measurements.SmallFileLoopAsync(s, smallFiles, operations, 16));

    var others = servers.Skip(1).ToList();
    (int Over, int Under)? hop = servers.Count switch { 3 => (2, 1), 4 => (2, 3), _ => null };
    Console.WriteLine();
    Console.WriteLine("| benchmark | unit | " + string.Join(" | ", servers.Select(s => s.Name)) + " | " +
                      string.Join(" | ", others.Select(s => $"{s.Name} / {servers[0].Name}")) +
                      (hop is { } h ? $" | {servers[h.Over].Name} / {servers[h.Under].Name}" : "") + " |");
    Console.WriteLine("|---|---|" + string.Concat(Enumerable.Repeat("---:|", servers.Count + others.Count + (hop is null ? 0 : 1))));
    foreach (var (name, unit, best, _) in rows)
    {
        var ratios = best.Skip(1).Select(b => b / best[0]).Concat(hop is { } r ? [best[r.Over] / best[r.Under]] : []);
        Console.WriteLine($"| {name} | {unit} | {string.Join(" | ", best.Select(b => b.ToString("F1", CultureInfo.InvariantCulture)))} | " +
                          $"{string.Join(" | ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture) + "x"))} |");
    }

    // CPU seconds each server's processes used over the row's rounds (the same work for every server).
    Console.WriteLine();
    Console.WriteLine("| benchmark, CPU s over all rounds | " + string.Join(" | ", servers.Select(s => string.Join(" + ", s.Processes.Select(p => p.Name)))) + " |");
    Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", servers.Count)));
    foreach (var (name, _, _, cpu) in rows)
        Console.WriteLine($"| {name} | " + string.Join(" | ", cpu.Select(c => string.Join(" + ", c.Select(v => v.ToString("F2", CultureInfo.InvariantCulture))))) + " |");
    Console.WriteLine();
    Console.WriteLine("server CPU seconds used in all: " + string.Join(", ", all.Select(p => { p.Process.Refresh(); return string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Process.TotalProcessorTime.TotalSeconds:F1}"); })));
}

int ArgInt(string name, int fallback) =>
    ArgString(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

string? ArgString(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static async Task CopyIntoAsync(Server server, string from)
{
    var (client, tcp, root) = await Measurements.ConnectAsync(server);
    await using var _ = client;
    using var __ = tcp;
    foreach (var path in Directory.GetFiles(from))
    {
        var fid = client.NewFid();
        await client.WalkAsync(root, fid, []);
        await client.LcreateAsync(fid, Path.GetFileName(path), LinuxOpenFlags.WriteOnly, 0x1A4);
        await client.WriteAllAsync(fid, 0, await File.ReadAllBytesAsync(path));
        await client.ClunkAsync(fid);
    }
    await client.ClunkAsync(root);
}

// The provider mounts /export in styx-root's namespace on its own schedule: poll until a small file reads through it.
static async Task WaitReadableAsync(Server server, TimeSpan bound)
{
    var deadline = DateTime.UtcNow + bound;
    while (true)
    {
        try
        {
            await Measurements.SmallFileLoopAsync(server, 1, 1, 1);
            return;
        }
        catch (Exception e) when (DateTime.UtcNow < deadline && e is not OutOfMemoryException)
        {
            await Task.Delay(200);
        }
    }
}
