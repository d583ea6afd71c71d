// Save-to-healthy of a dht reload on a running node: appends a comment to a dht source in the node's source tree, then
// reads the reload's build, test and restart times from the Modules API, while a prober calls dht's GetInfo through the
// node's endpoint without retries and polls styx-provider's /health, recording the longest time each saw dht gone, and a
// dependent prober calls GetInfo through the module client (retries, as a module calls another), counting its failures.
// Usage: Cheshire.Bench.Reload SOURCE_DIR SUPERVISOR_URL [RUNS]
using System.Diagnostics;
using System.Globalization;
using Cheshire.Bench.Reload;
using Cheshire.Protos.Modules;
using Grpc.Net.Client;

var source = args[0];
using var supervisorChannel = GrpcChannel.ForAddress(args[1]);
var runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
var modules = new Modules.ModulesClient(supervisorChannel);

var dht = await Wait.UntilAsync(async () =>
{
    var all = (await modules.ListAsync(new ListModulesRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Modules;
    return all.All(m => m.State == ModuleState.Running) ? all.Single(m => m.Name == "dht") : null;
}, TimeSpan.FromMinutes(5), "every module running");
var provider = (await modules.GetAsync(new ModuleRequest { Name = "styx-provider" })).Endpoints.Single(e => e.Name == "http").Url;
using var prober = new Prober(dht.Endpoints.Single(e => e.Name == "grpc").Url, provider);
using var dependent = new DependentProber(dht.Endpoints.Single(e => e.Name == "grpc").Url);

Console.WriteLine("| run | save→healthy s | detect s | build s | test s | restart s | dht GetInfo longest gap s | failed GetInfo | styx-provider not Healthy s | module client: failed / calls | module client longest call s |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var file = Path.Combine(source, "services", "dht", "DhtApi.cs");
for (var run = 0; run <= runs; run++)
{
    prober.Reset();
    dependent.Reset();
    var saved = DateTimeOffset.UtcNow;
    await File.AppendAllTextAsync(file, $"\n// bench {saved:O}\n");
    var reload = await Wait.UntilAsync(async () =>
    {
        var status = await modules.GetAsync(new ModuleRequest { Name = "dht" });
        return status.LastReload is { } last && last.StartedAt.ToDateTimeOffset() >= saved.AddSeconds(-1) ? last : null;
    }, TimeSpan.FromMinutes(10), "the reload");
    if (reload.Result != ReloadResult.Reloaded)
        throw new InvalidOperationException($"reload {reload.Result}: {reload.Reason}");
    // Measured once the prober has seen the new process answer and styx-provider Healthy after the switch.
    var switched = reload.FinishedAt.ToDateTimeOffset();
    await Wait.UntilAsync(() => Task.FromResult<object?>(prober.LastAnswer > switched && prober.LastHealthy > switched ? prober : null),
        TimeSpan.FromMinutes(1), "dht answering and styx-provider healthy after the reload");
    var label = run == 0 ? "cold (fresh build tree)" : run.ToString(CultureInfo.InvariantCulture);
    Console.WriteLine(string.Join(" | ", [
        $"| {label}",
        Seconds(reload.FinishedAt.ToDateTimeOffset() - saved),
        Seconds(reload.StartedAt.ToDateTimeOffset() - saved),
        Seconds(reload.BuildTime.ToTimeSpan()),
        Seconds(reload.TestTime.ToTimeSpan()),
        Seconds(reload.RestartTime.ToTimeSpan()),
        Seconds(prober.LongestGap),
        prober.Failures.ToString(CultureInfo.InvariantCulture),
        Seconds(prober.LongestNotHealthy),
        $"{dependent.Failures.ToString(CultureInfo.InvariantCulture)} / {dependent.Calls.ToString(CultureInfo.InvariantCulture)}",
        Seconds(dependent.LongestCall) + " |"]));
}

static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture);
