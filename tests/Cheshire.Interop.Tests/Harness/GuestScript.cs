using System.Text;
using System.Text.RegularExpressions;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// Builds a guest shell script out of named checks. Each check runs in its own <c>sh -c</c> under a
/// SIGKILL timeout (a hung 9P request must not stall the boot) and prints <c>ok - NAME</c> or
/// <c>not ok - NAME (status N)</c> followed by its indented output; the script exits 1 if any failed.
/// Variables used inside check code must be <see cref="Export"/>ed.
/// </summary>
public sealed partial class GuestScript
{
    private readonly StringBuilder _body = new();
    private readonly List<string> _checks = [];

    public GuestScript(int checkTimeoutSeconds = 120)
    {
        _body.AppendLine($$"""
            passes=0
            fails=0
            check() {
              echo "# $1"
              t0=$(cut -d' ' -f1 /proc/uptime)
              out=$(timeout -s KILL {{checkTimeoutSeconds}} sh -c "$2" 2>&1)
              rc=$?
              t1=$(cut -d' ' -f1 /proc/uptime)
              if [ $rc -eq 0 ]; then
                passes=$((passes+1)); echo "ok - $1"
              else
                fails=$((fails+1)); echo "not ok - $1 (status $rc)"
              fi
              echo "    [$(echo "$t0 $t1" | awk '{printf "%.2f s at %.1f s", $2 - $1, $2}')]"
              [ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/    /'
              return 0
            }
            """);
    }

    /// <summary>Names of all checks, in order: the host verifies that each one reported ok.</summary>
    public IReadOnlyList<string> Checks => _checks;

    public GuestScript Export(string name, string value)
    {
        _body.AppendLine($"export {name}={Quote(value)}");
        return this;
    }

    public GuestScript Check(string name, string code)
    {
        if (name.Contains('\n') || name.Contains('"') || name.Contains('$') || name.Contains('`'))
        {
            throw new ArgumentException("check names are plain text", nameof(name));
        }
        _checks.Add(name);
        _body.AppendLine($"check \"{name}\" {Quote(code)}");
        return this;
    }

    /// <summary>Raw script text (e.g. lines that print values the host parses).</summary>
    public GuestScript Raw(string text)
    {
        _body.AppendLine(text);
        return this;
    }

    /// <summary>
    /// The standard file-system suite on a writable directory <paramref name="dir"/>: ls, write, cat,
    /// append, stat, mkdir, mv, rename, rmdir of a non-empty directory, rm, rmdir, a 1 MiB copy checked
    /// with cmp, and a 1 MiB write and read in single system calls. Prints
    /// <c>sha1 TAG FILE HEX</c> for the 1 MiB file left in <paramref name="dir"/>, for host-side checks.
    /// </summary>
    public GuestScript FileSystemSuite(string tag, string dir)
    {
        var d = "D_" + Regex.Replace(tag, "[^A-Za-z0-9]", "_");
        Export(d, dir);
        var t = tag;
        Check($"{t}: ls", $"ls -la \"${d}\"");
        Check($"{t}: write a file", $"echo 'hello {t}' > \"${d}/f-{t}.txt\"");
        Check($"{t}: cat it back", $"test \"$(cat \"${d}/f-{t}.txt\")\" = 'hello {t}'");
        Check($"{t}: append", $"echo more >> \"${d}/f-{t}.txt\" && test \"$(wc -l < \"${d}/f-{t}.txt\")\" -eq 2 && test \"$(tail -n1 \"${d}/f-{t}.txt\")\" = more");
        Check($"{t}: stat size and type", $"s=$(stat -c '%s %F' \"${d}/f-{t}.txt\") && echo \"$s\" && test \"$s\" = '{("hello " + t + "\n").Length + 5} regular file'");
        Check($"{t}: ls lists the file", $"ls \"${d}\" | grep -qx 'f-{t}.txt'");
        Check($"{t}: mkdir", $"mkdir \"${d}/d-{t}\" && test \"$(stat -c %F \"${d}/d-{t}\")\" = directory");
        Check($"{t}: mv into the directory", $"mv \"${d}/f-{t}.txt\" \"${d}/d-{t}/g.txt\" && test ! -e \"${d}/f-{t}.txt\" && test \"$(head -n1 \"${d}/d-{t}/g.txt\")\" = 'hello {t}'");
        Check($"{t}: rename within the directory", $"mv \"${d}/d-{t}/g.txt\" \"${d}/d-{t}/h.txt\" && test \"$(ls \"${d}/d-{t}\")\" = h.txt");
        Check($"{t}: rmdir of a non-empty directory fails", $"if rmdir \"${d}/d-{t}\"; then echo 'rmdir succeeded'; exit 1; fi; test -e \"${d}/d-{t}/h.txt\"");
        Check($"{t}: rm", $"rm \"${d}/d-{t}/h.txt\" && test ! -e \"${d}/d-{t}/h.txt\" && test -z \"$(ls \"${d}/d-{t}\")\"");
        Check($"{t}: rmdir", $"rmdir \"${d}/d-{t}\" && test ! -e \"${d}/d-{t}\"");
        Check($"{t}: 1 MiB copy checked with cmp", $"dd if=/dev/urandom of=/tmp/src-{t} bs=65536 count=16 2>/dev/null && cp /tmp/src-{t} \"${d}/big-{t}.bin\" && cmp /tmp/src-{t} \"${d}/big-{t}.bin\" && test \"$(stat -c %s \"${d}/big-{t}.bin\")\" -eq 1048576");
        Check($"{t}: 1 MiB in single write and read calls", $"dd if=/tmp/src-{t} of=\"${d}/one-{t}.bin\" bs=1048576 count=1 2>/dev/null && dd if=\"${d}/one-{t}.bin\" of=/tmp/back-{t} bs=1048576 count=1 2>/dev/null && cmp /tmp/src-{t} /tmp/back-{t} && rm \"${d}/one-{t}.bin\"");
        Raw($"echo \"sha1 {t} big-{t}.bin $(sha1sum < /tmp/src-{t} | cut -d' ' -f1)\"");
        return this;
    }

    public override string ToString() =>
        _body + "echo \"# $passes passed, $fails failed\"\n[ $fails -eq 0 ]\n";

    /// <summary>Asserts that the run printed ok for every check (and nothing not ok).</summary>
    public void AssertAllPassed(GuestRunResult result, string? hostContext = null)
    {
        var lines = result.Output.Split('\n');
        var failed = lines.Where(l => l.StartsWith("not ok - ", StringComparison.Ordinal)).ToList();
        var missing = _checks.Where(c => !lines.Contains("ok - " + c)).ToList();
        if (failed.Count > 0 || missing.Count > 0 || result.ExitCode != 0)
        {
            var summary = failed.Count > 0
                ? $"{failed.Count} guest check(s) failed: {string.Join("; ", failed.Select(f => f["not ok - ".Length..]))}"
                : missing.Count > 0
                    ? $"{missing.Count} guest check(s) did not report: {string.Join("; ", missing)}"
                    : $"guest script exited with {result.ExitCode}";
            throw new GuestFailedException(summary, result.Describe(hostContext));
        }
    }

    /// <summary>Values printed as <c>KEY TAG VALUE...</c> lines (e.g. <c>sha1 a big-a.bin HEX</c>).</summary>
    public static IReadOnlyList<string[]> Values(GuestRunResult result, string key) =>
        result.Output.Split('\n')
            .Where(l => l.StartsWith(key + " ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..])
            .ToList();

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
