namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// pjdfstest (a POSIX file-system conformance suite) built outside this repository (bench/posix/README.md): a static
/// binary and the suite's tests/ folder, put into the guest's initramfs under /pjdfstest with a runner
/// (Harness/pjdfstest-run.sh), an <c>openssl md5</c> stand-in (the suite's name generator needs it;
/// busybox has md5sum) and /etc/passwd and /etc/group with root and nobody.
/// </summary>
public sealed record PjdfsTestBuild(string Directory)
{
    public const string DirectoryVariable = "CHESHIRE_PJDFSTEST_DIR";
    public const string GuestRunner = "/pjdfstest/run.sh";

    private const int DirectoryMode = 0x4000 | 0b111_101_101;

    public static string DefaultDirectory => CheshireCache.Folder(DirectoryVariable, "pjdfstest");

    /// <summary>The build in <see cref="DefaultDirectory"/>, or null with the reason when it is not there.</summary>
    public static PjdfsTestBuild? TryLocate(out string missing)
    {
        var dir = DefaultDirectory;
        if (!File.Exists(Path.Combine(dir, "pjdfstest")) || !File.Exists(Path.Combine(dir, "tests", "misc.sh")))
        {
            missing = $"pjdfstest is not in {dir} (a static binary and its tests/ folder, built outside this repository: " +
                      $"bench/posix/README.md), or point {DirectoryVariable} at such a folder.";
            return null;
        }
        missing = "";
        return new PjdfsTestBuild(dir);
    }

    /// <summary>The suite's test folders (chmod, chown, link, ...), sorted.</summary>
    public IReadOnlyList<string> TestDirectories =>
        System.IO.Directory.GetDirectories(Path.Combine(Directory, "tests"))
            .Where(d => System.IO.Directory.EnumerateFiles(d, "*.t").Any())
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();

    /// <summary>Initramfs entries: /pjdfstest/{pjdfstest,run.sh,tests/...} and /bin/openssl.</summary>
    public IReadOnlyList<NewcArchive.Entry> GuestFiles()
    {
        var runner = Path.Combine(AppContext.BaseDirectory, "Harness", "pjdfstest-run.sh");
        if (!File.Exists(runner))
        {
            throw new InvalidOperationException($"{runner} is missing from the test output");
        }
        var entries = new List<NewcArchive.Entry>
        {
            new("pjdfstest", [], DirectoryMode),
            NewcArchive.File("pjdfstest/pjdfstest", File.ReadAllBytes(Path.Combine(Directory, "pjdfstest")), 0b111_101_101),
            NewcArchive.File(GuestRunner.TrimStart('/'), File.ReadAllText(runner)),
            NewcArchive.File("bin/openssl", OpensslMd5),
            // utimensat/06.t and 07.t ask `id -u nobody`; the guest has no user database otherwise.
            NewcArchive.File("etc/passwd", "root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n", 0b110_100_100),
            NewcArchive.File("etc/group", "root:x:0:\nnogroup:x:65534:\n", 0b110_100_100),
        };
        var tests = Path.Combine(Directory, "tests");
        entries.Add(new("pjdfstest/tests", [], DirectoryMode));
        foreach (var file in System.IO.Directory.GetFiles(tests))
        {
            entries.Add(NewcArchive.File("pjdfstest/tests/" + Path.GetFileName(file), File.ReadAllText(file)));
        }
        foreach (var dir in TestDirectories)
        {
            entries.Add(new("pjdfstest/tests/" + dir, [], DirectoryMode));
            foreach (var file in System.IO.Directory.GetFiles(Path.Combine(tests, dir), "*.t").Order(StringComparer.Ordinal))
            {
                entries.Add(NewcArchive.File($"pjdfstest/tests/{dir}/{Path.GetFileName(file)}", File.ReadAllText(file)));
            }
        }
        return entries;
    }

    // misc.sh names files with `dd ... | openssl md5 | awk '{print $NF}'`.
    private const string OpensslMd5 = """
        #!/bin/sh
        [ "$1" = md5 ] || { echo "openssl (pjdfstest stand-in): only md5" >&2; exit 1; }
        echo "(stdin)= $(md5sum | cut -d' ' -f1)"

        """;
}
