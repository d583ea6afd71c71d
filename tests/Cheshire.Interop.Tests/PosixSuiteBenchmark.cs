using System.Globalization;
using Cheshire.Interop.Tests.Harness;

namespace Cheshire.Interop.Tests;

/// <summary>
/// bench/posix/run.sh: pjdfstest through the kernel's v9fs client, the whole suite (or CHESHIRE_POSIX_DIRS), one guest
/// boot per target named in CHESHIRE_POSIX_TARGETS (diod, ram, export, delegated), results written to CHESHIRE_POSIX_OUT.
/// Explicit: it runs only when asked for (about 9 minutes per target).
/// </summary>
public sealed class PosixSuiteBenchmark(StyxRootHost host) : IDisposable
{
    private readonly TempDirectories _temp = new();

    [Fact(Explicit = true)]
    public async Task PosixSuiteOnEachTarget()
    {
        var build = PjdfsTestBuild.TryLocate(out var missing) ?? throw new InvalidOperationException(missing);
        var output = Environment.GetEnvironmentVariable("CHESHIRE_POSIX_OUT") ?? throw new InvalidOperationException("set CHESHIRE_POSIX_OUT to a folder");
        var targets = Split(Environment.GetEnvironmentVariable("CHESHIRE_POSIX_TARGETS") ?? "diod,ram,export");
        var dirs = Split(Environment.GetEnvironmentVariable("CHESHIRE_POSIX_DIRS") ?? "");
        if (dirs.Count == 0)
        {
            dirs = build.TestDirectories;
        }
        Directory.CreateDirectory(output);
        var ct = TestContext.Current.CancellationToken;
        var runs = new List<PosixSuiteResult>();
        foreach (var tag in targets)
        {
            var run = await RunTargetAsync(build, tag, dirs, ct);
            runs.Add(run);
            await File.WriteAllLinesAsync(Path.Combine(output, $"failures-{tag}.txt"), run.Failures(tag), ct);
            await File.WriteAllLinesAsync(Path.Combine(output, $"files-{tag}.txt"),
                run.Files.Select(f => string.Create(CultureInfo.InvariantCulture,
                    $"{f.File} planned={f.Planned} ok={f.Ok} notok={f.NotOk} status={f.Status} seconds={f.Seconds:F1}")), ct);
            await File.AppendAllTextAsync(Path.Combine(output, "boots.txt"), string.Create(CultureInfo.InvariantCulture,
                $"{tag}: guest boot {run.Guest.Elapsed.TotalSeconds:F0} s, kernel {run.Guest.KernelVersion}\n"), ct);
            await File.WriteAllTextAsync(Path.Combine(output, "table.md"), PosixSuiteResult.Table(runs), ct);
        }
    }

    private async Task<PosixSuiteResult> RunTargetAsync(PjdfsTestBuild build, string tag, IReadOnlyList<string> dirs, CancellationToken ct)
    {
        var timeout = TimeSpan.FromMinutes(60);
        switch (tag)
        {
            case "diod":
                await using (var diod = await DiodServer.StartAsync(_temp.Create("cheshire-posix-diod-")))
                {
                    return await PosixSuiteRun.RunAsync(build, [PosixTarget.Diod(tag, diod)], dirs, timeout,
                        hostContext: () => diod.Describe(50), cancellationToken: ct);
                }
            case "ram":
                return await PosixSuiteRun.RunAsync(build, [PosixTarget.StyxRootTmp(tag, host.Server.Port)], dirs, timeout,
                    hostContext: () => host.Server.Describe(100), cancellationToken: ct);
            case "export":
                await using (var export = new LocalExportServer(_temp.Create("cheshire-posix-export-")))
                {
                    return await PosixSuiteRun.RunAsync(build, [PosixTarget.Root(tag, export.Port)], dirs, timeout,
                        hostContext: export.Describe, cancellationToken: ct);
                }
            case "delegated":
                await using (var node = new ProviderNodeHost())
                {
                    await node.InitializeAsync();
                    return await PosixSuiteRun.RunAsync(build, [PosixTarget.StyxRootExport(tag, node.StyxPort)], dirs, timeout,
                        hostContext: node.Describe, cancellationToken: ct);
                }
            default:
                throw new ArgumentException($"unknown target {tag} (diod, ram, export, delegated)");
        }
    }

    private static IReadOnlyList<string> Split(string list) =>
        list.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public void Dispose() => _temp.Dispose();
}
