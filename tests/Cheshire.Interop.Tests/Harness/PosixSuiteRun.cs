namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// One guest boot that mounts each target and runs pjdfstest's files of the given folders on it, one target
/// after the other (Harness/pjdfstest-run.sh prints a line per file and the TAP "not ok" lines).
/// </summary>
public static class PosixSuiteRun
{
    public static async Task<PosixSuiteResult> RunAsync(PjdfsTestBuild build, IReadOnlyList<PosixTarget> targets,
        IReadOnlyList<string> directories, TimeSpan bootTimeout, int fileTimeoutSeconds = 300,
        Func<string>? hostContext = null, CancellationToken cancellationToken = default)
    {
        var script = Script(targets, directories, fileTimeoutSeconds);
        var result = await V9fsGuest.RunAsync(new GuestRunOptions
        {
            Ports = targets.Select(t => t.Port).Distinct().ToList(),
            Script = script.ToString(),
            Timeout = bootTimeout,
            ExtraFiles = build.GuestFiles(),
            HostContext = hostContext,
        }, cancellationToken);
        // The mounts and work folders are checks: a target that cannot be mounted fails the run here.
        script.AssertAllPassed(result, hostContext?.Invoke());
        return PosixSuiteResult.Parse(result, targets.Select(t => t.Tag).ToList());
    }

    public static GuestScript Script(IReadOnlyList<PosixTarget> targets, IReadOnlyList<string> directories, int fileTimeoutSeconds)
    {
        if (directories.Count == 0 || directories.Any(d => d.Length == 0 || !d.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new ArgumentException("test folders are plain names such as chmod", nameof(directories));
        }
        var script = new GuestScript();
        var run = Guid.NewGuid().ToString("N")[..8];
        foreach (var target in targets)
        {
            var work = $"{target.MountPoint}{target.SubDirectory}/posix-{target.Tag}-{run}";
            script.Raw($"mkdir -p {target.MountPoint}");
            script.Check($"mount {target.Tag}", target.MountCommand);
            // Only on the 9P mount: after a failed mount, /mnt/TAG is a folder of the guest's own rootfs.
            script.Raw($"if grep -q ' {target.MountPoint} 9p ' /proc/mounts; then");
            script.Check($"create {work}", $"mkdir {work}");
            script.Raw($"sh {PjdfsTestBuild.GuestRunner} {target.Tag} {work} {fileTimeoutSeconds} {string.Join(' ', directories)}");
            script.Raw($"timeout -s KILL 120 rm -rf {work}");
            script.Raw("fi");
        }
        return script;
    }
}
