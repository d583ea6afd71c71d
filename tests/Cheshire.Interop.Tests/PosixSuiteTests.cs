using Cheshire.Interop.Tests.Harness;

namespace Cheshire.Interop.Tests;

/// <summary>
/// pjdfstest (POSIX file-system conformance) through the Linux kernel's v9fs client (9P2000.L), with diod
/// exporting a fresh directory as the reference. Needs a pjdfstest build (bench/posix/README.md); skipped without it.
/// </summary>
public sealed class PosixSuiteTests(StyxRootHost host) : IDisposable
{
    // About a minute per target (bench/posix/RESULTS.md has the whole suite: about 9 minutes per target).
    private static readonly string[] FastDirectories = ["chmod", "link", "symlink"];

    private readonly TempDirectories _temp = new();

    [Fact]
    public async Task RamTreePassesAtLeastAsManyPosixChecksAsDiod()
    {
        var build = PjdfsTestBuild.TryLocate(out var missing);
        if (build is null)
        {
            Assert.Skip(missing);
        }
        await using var diod = await DiodServer.StartAsync(_temp.Create("cheshire-posix-diod-"));
        string Context() => diod.Describe(50) + "\n\n" + host.Server.Describe(100);
        PosixTarget[] targets = [PosixTarget.Diod("diod", diod), PosixTarget.StyxRootTmp("ram", host.Server.Port)];

        var run = await PosixSuiteRun.RunAsync(build, targets, FastDirectories, TimeSpan.FromMinutes(8),
            fileTimeoutSeconds: 120, Context, TestContext.Current.CancellationToken);

        var report = run.Table() + "\nram's failed checks:\n" + string.Join('\n', run.Failures("ram").Take(200));
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        var expectedFiles = FastDirectories.Sum(d => Directory.GetFiles(Path.Combine(build.Directory, "tests", d), "*.t").Length);
        foreach (var target in targets)
        {
            Assert.True(run.Count(target.Tag).Files == expectedFiles,
                $"{target.Tag}: {run.Count(target.Tag).Files} of {expectedFiles} files reported\n{run.Guest.Describe(Context())}");
        }
        var diodCount = run.Count("diod");
        var ramCount = run.Count("ram");
        // diod passes nearly all of these; a collapse means the harness (or the guest) broke, not the tree.
        Assert.True(diodCount.Ok >= diodCount.Planned * 9 / 10, $"diod passed only {diodCount.Ok} of {diodCount.Planned}\n{report}");
        Assert.True(ramCount.Ok >= diodCount.Ok, $"the RAM tree passed {ramCount.Ok} checks, diod {diodCount.Ok}\n{report}");
    }

    public void Dispose() => _temp.Dispose();
}
