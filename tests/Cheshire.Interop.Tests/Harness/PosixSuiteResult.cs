using System.Globalization;
using System.Text;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>One pjdfstest file on one target: TAP plan, ok and not ok lines, the runner's exit status.</summary>
public sealed record PosixFileResult(string Target, string Directory, string File, int Planned, int Ok, int NotOk, string Status, double Seconds)
{
    /// <summary>Checks planned but never reported (the file was killed by its timeout or stopped early).</summary>
    public int Unreported => Math.Max(0, Planned - Ok - NotOk);
}

/// <summary>Sums over files: per target and folder.</summary>
public sealed record PosixCount(int Files, int Planned, int Ok, int NotOk, int Unreported, double Seconds)
{
    public static PosixCount Of(IEnumerable<PosixFileResult> files)
    {
        var list = files.ToList();
        return new(list.Count, list.Sum(f => f.Planned), list.Sum(f => f.Ok), list.Sum(f => f.NotOk), list.Sum(f => f.Unreported), list.Sum(f => f.Seconds));
    }
}

/// <summary>What <see cref="PosixSuiteRun"/> printed, parsed: per-file rows and the failed checks' TAP lines.</summary>
public sealed class PosixSuiteResult(IReadOnlyList<string> targets, IReadOnlyList<PosixFileResult> files,
    IReadOnlyList<(string Target, string File, string Line)> failures, GuestRunResult guest)
{
    public IReadOnlyList<string> Targets { get; } = targets;
    public IReadOnlyList<PosixFileResult> Files { get; } = files;
    public GuestRunResult Guest { get; } = guest;

    public static PosixSuiteResult Parse(GuestRunResult guest, IReadOnlyList<string> targets)
    {
        var files = new List<PosixFileResult>();
        var failures = new List<(string, string, string)>();
        foreach (var line in guest.Output.Split('\n'))
        {
            var f = line.Split(' ', 4);
            if (f[0] == "pjdfail" && f.Length == 4)
            {
                failures.Add((f[1], f[2], f[3]));
                continue;
            }
            var p = line.Split(' ');
            if (p[0] != "pjd" || p.Length != 8)
            {
                continue;
            }
            var dir = p[2].Split('/')[0];
            files.Add(new PosixFileResult(p[1], dir, p[2], Int(p[3]), Int(p[4]), Int(p[5]), p[6],
                double.Parse(p[7], CultureInfo.InvariantCulture)));
        }
        return new PosixSuiteResult(targets, files, failures, guest);
    }

    public IReadOnlyList<string> Directories => Files.Select(f => f.Directory).Distinct().Order(StringComparer.Ordinal).ToList();

    public PosixCount Count(string target, string? directory = null) =>
        PosixCount.Of(Files.Where(f => f.Target == target && (directory is null || f.Directory == directory)));

    /// <summary>The TAP "not ok" lines of a target, each prefixed with its file.</summary>
    public IEnumerable<string> Failures(string target) =>
        failures.Where(f => f.Target == target).Select(f => $"{f.File} {f.Line}");

    /// <summary>Files that did not end normally (non-zero status) or left checks unreported.</summary>
    public IEnumerable<PosixFileResult> Incomplete => Files.Where(f => f.Status != "0" || f.Unreported > 0);

    /// <summary>A Markdown table: checks passed per folder and target, with the planned count.</summary>
    public string Table() => Table([this]);

    /// <summary>One table over several runs (e.g. one boot per target).</summary>
    public static string Table(IReadOnlyList<PosixSuiteResult> runs)
    {
        var targets = runs.SelectMany(r => r.Targets.Select(t => (Run: r, Target: t))).ToList();
        var dirs = runs.SelectMany(r => r.Directories).Distinct().Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("| folder | checks | " + string.Join(" | ", targets.Select(t => t.Target + " ok")) + " |");
        sb.AppendLine("|---|---:|" + string.Concat(targets.Select(_ => "---:|")));
        foreach (var dir in dirs.Append(null))
        {
            var counts = targets.Select(t => t.Run.Count(t.Target, dir)).ToList();
            var name = dir ?? "**total**";
            sb.AppendLine($"| {name} | {N(counts.Max(c => c.Planned))} | " + string.Join(" | ", counts.Select(Cell)) + " |");
        }
        sb.AppendLine("| time in the guest | | " + string.Join(" | ", targets.Select(t => t.Run.Count(t.Target).Seconds.ToString("F0", CultureInfo.InvariantCulture) + " s")) + " |");
        return sb.ToString();

        static string Cell(PosixCount c) => c.Unreported > 0 ? $"{N(c.Ok)} ({N(c.Unreported)} unreported)" : N(c.Ok);
        static string N(int v) => v.ToString("N0", CultureInfo.InvariantCulture);
    }

    private static int Int(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
