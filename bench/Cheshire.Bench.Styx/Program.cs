using System.Globalization;
using Cheshire.Bench.Styx;
using Cheshire.Styx.Protocol;

// styx-root (in-memory /tmp) against diod (a directory) on loopback, the same files, the same clients.
var sizeMiB = ArgInt("--size-mib", 256);
var smallFiles = ArgInt("--small-files", 1000);
var operations = ArgInt("--operations", 20000);
var repeat = ArgInt("--repeat", 3);
var size = sizeMiB * 1024L * 1024;
var repoRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

var work = Directory.CreateTempSubdirectory("cheshire-bench-styx-");
var export = Directory.CreateDirectory(Path.Combine(work.FullName, "export")).FullName;
Console.WriteLine($"files: one of {sizeMiB} MiB, {smallFiles} of 4 KiB; {operations} small-file operations; best of {repeat}");
var random = new Random(9);
var big = new byte[size];
random.NextBytes(big);
await File.WriteAllBytesAsync(Path.Combine(export, "big"), big);
var small = new byte[4096];
for (var i = 0; i < smallFiles; i++)
{
    random.NextBytes(small);
    await File.WriteAllBytesAsync(Path.Combine(export, Measurements.SmallName(i)), small);
}

using var diod = Server.StartDiod(export);
using var cheshire = Server.StartStyxRoot(repoRoot, Path.Combine(work.FullName, "node"));
await diod.WaitListeningAsync();
await cheshire.WaitListeningAsync();
await CopyIntoAsync(cheshire, export);
big = [];

var rows = new List<(string Name, string Unit, double Diod, double Cheshire)>();
async Task Row(string name, string unit, Func<Server, Task<double>> measure)
{
    double Best(List<double> values) => values.Max();
    var d = new List<double>();
    var c = new List<double>();
    for (var i = 0; i < repeat; i++)
    {
        d.Add(await measure(diod));
        c.Add(await measure(cheshire));
    }
    rows.Add((name, unit, Best(d), Best(c)));
    Console.WriteLine($"  {name}: diod {Best(d):F1} {unit}, cheshire {Best(c):F1} {unit}");
}

await Row("sequential read, 1 in flight (Cheshire client)", "MB/s", s => Measurements.SequentialReadAsync(s, "big", size, 1));
await Row("sequential read, 4 in flight (Cheshire client)", "MB/s", s => Measurements.SequentialReadAsync(s, "big", size, 4));
await Row("sequential read (diodcat)", "MB/s", s => Measurements.DiodcatAsync(s, "big", size));
await Row("walk+open+read 4K+clunk, 1 loop", "ops/s", s => Measurements.SmallFileLoopAsync(s, smallFiles, operations, 1));
await Row("walk+open+read 4K+clunk, 16 loops", "ops/s", s => Measurements.SmallFileLoopAsync(s, smallFiles, operations, 16));

Console.WriteLine();
Console.WriteLine($"| benchmark | unit | diod | Cheshire | Cheshire / diod |");
Console.WriteLine($"|---|---|---:|---:|---:|");
foreach (var (name, unit, d, c) in rows)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {unit} | {d:F1} | {c:F1} | {c / d:F2}x |"));
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"server CPU seconds used: diod {diod.CpuSeconds:F1}, cheshire {cheshire.CpuSeconds:F1}"));
work.Delete(recursive: true);

int ArgInt(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
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
