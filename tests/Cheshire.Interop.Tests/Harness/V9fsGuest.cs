using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>What to run in one guest boot.</summary>
public sealed record GuestRunOptions
{
    /// <summary>Host loopback TCP ports the guest reaches as 10.0.2.100:PORT (QEMU guestfwd).</summary>
    public required IReadOnlyList<int> Ports { get; init; }

    /// <summary>A busybox sh script; its stdout+stderr is the result's Output, its exit status the ExitCode.</summary>
    public required string Script { get; init; }

    /// <summary>Hard limit for the whole boot; QEMU is killed when it passes.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(300);

    public int MemoryMb { get; init; } = 512;

    /// <summary>More files for the guest's initramfs (e.g. test data).</summary>
    public IReadOnlyList<NewcArchive.Entry> ExtraFiles { get; init; } = [];

    /// <summary>Host-side state for failure messages (e.g. the 9P server's log), read when a run fails.</summary>
    public Func<string>? HostContext { get; init; }
}

/// <summary>The outcome of a guest run that reached the end of its script.</summary>
public sealed record GuestRunResult(int ExitCode, string Output, string ConsoleLog, TimeSpan Elapsed, string KernelVersion)
{
    /// <summary>Throws with the script output and the console log unless the script exited with 0.</summary>
    public void EnsureSuccess(string? context = null)
    {
        if (ExitCode != 0)
        {
            throw new GuestFailedException($"guest script exited with {ExitCode}", this.Describe(context));
        }
    }

    public string Describe(string? context = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"kernel {KernelVersion}, {(ExitCode >= 0 ? $"exit status {ExitCode}" : "no exit status")}, {Elapsed.TotalSeconds:F1} s");
        sb.AppendLine("----- guest script output (ttyS1) -----");
        sb.AppendLine(Output.TrimEnd());
        sb.AppendLine("----- guest console (ttyS0: kernel messages) -----");
        sb.AppendLine(ConsoleLog.TrimEnd());
        if (!string.IsNullOrEmpty(context))
        {
            sb.AppendLine("----- host side -----");
            sb.AppendLine(context.TrimEnd());
        }
        return sb.ToString();
    }
}

public sealed class GuestFailedException(string summary, string details)
    : Exception(summary + Environment.NewLine + details)
{
    public string Summary { get; } = summary;
}

/// <summary>Kernel + base initramfs made by build/prepare-v9fs-guest.sh.</summary>
public sealed record GuestImage(string Directory, string Kernel, string Initrd, string KernelVersion)
{
    public const string DirectoryVariable = "CHESHIRE_V9FS_GUEST_DIR";

    public static string DefaultDirectory => CheshireCache.Folder(DirectoryVariable, "v9fs-guest");

    public static GuestImage Locate()
    {
        var dir = DefaultDirectory;
        var kernel = Path.Combine(dir, "vmlinuz");
        var initrd = Path.Combine(dir, "initrd.img");
        var version = Path.Combine(dir, "kernel-version");
        if (!File.Exists(kernel) || !File.Exists(initrd) || !File.Exists(version))
        {
            throw new InvalidOperationException(
                $"The v9fs guest image is missing in {dir} (vmlinuz, initrd.img, kernel-version). " +
                "Run build/prepare-v9fs-guest.sh (build/install-prerequisites.sh and test.sh do it), " +
                $"or point {DirectoryVariable} at a prepared folder.");
        }
        return new GuestImage(dir, kernel, initrd, File.ReadAllText(version).Trim());
    }
}

/// <summary>
/// A Linux guest under QEMU software emulation (TCG) whose kernel v9fs client talks to 9P servers on
/// the host's loopback. The guest's /init (build/prepare-v9fs-guest.sh) loads the 9P modules, sets up
/// 10.0.2.15/24 on QEMU's restricted user network, runs /test.sh from a per-run initramfs overlay,
/// prints CHESHIRE-GUEST-EXIT=N and powers off. Disposing kills QEMU if it still runs.
/// </summary>
public sealed partial class V9fsGuest : IAsyncDisposable
{
    public const string GuestServerAddress = "10.0.2.100";
    private const string ExitMarker = "CHESHIRE-GUEST-EXIT=";

    // QEMU (TCG) is CPU-bound: at most one guest per core across all tests of this process.
    private static readonly SemaphoreSlim Slots = new(Math.Max(1, Environment.ProcessorCount));

    private readonly GuestRunOptions _options;
    private readonly GuestImage _image;
    private readonly string _workDir;
    private readonly string _outputFile;
    private readonly StringBuilder _console = new();
    private readonly Stopwatch _clock = new();
    private Process? _qemu;
    private bool _holdsSlot;

    private V9fsGuest(GuestRunOptions options, GuestImage image)
    {
        _options = options;
        _image = image;
        _workDir = Directory.CreateTempSubdirectory("cheshire-v9fs-guest-").FullName;
        _outputFile = Path.Combine(_workDir, "ttyS1.log");
    }

    /// <summary>Boots a guest, runs <paramref name="script"/> and returns its output and exit status.</summary>
    public static Task<GuestRunResult> RunAsync(int port, string script, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RunAsync(new GuestRunOptions { Ports = [port], Script = script, Timeout = timeout ?? TimeSpan.FromSeconds(300) }, cancellationToken);

    public static async Task<GuestRunResult> RunAsync(GuestRunOptions options, CancellationToken cancellationToken = default)
    {
        await using var guest = await StartAsync(options, cancellationToken);
        return await guest.WaitAsync(cancellationToken);
    }

    /// <summary>Starts QEMU (waiting for a free CPU slot first). Use <see cref="WaitAsync"/> for the result.</summary>
    public static async Task<V9fsGuest> StartAsync(GuestRunOptions options, CancellationToken cancellationToken = default)
    {
        var image = GuestImage.Locate();
        var qemu = FindQemu();
        var guest = new V9fsGuest(options, image);
        try
        {
            await Slots.WaitAsync(cancellationToken);
            guest._holdsSlot = true;
            guest.Launch(qemu);
            return guest;
        }
        catch
        {
            await guest.DisposeAsync();
            throw;
        }
    }

    public string ConsoleLog
    {
        get
        {
            lock (_console)
            {
                return _console.ToString();
            }
        }
    }

    /// <summary>The script output so far (ttyS1).</summary>
    public string Output => ReadOutput();

    public async Task<GuestRunResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        var qemu = _qemu ?? throw new InvalidOperationException("not started");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout - _clock.Elapsed);
        try
        {
            await qemu.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            try
            {
                await qemu.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
            catch (TimeoutException)
            {
            }
            var why = cancellationToken.IsCancellationRequested
                ? "the test was cancelled"
                : $"the guest did not finish within {_options.Timeout.TotalSeconds:F0} s (hard timeout); QEMU was killed";
            throw new GuestFailedException(why, Describe(_options.HostContext?.Invoke()));
        }
        // Let the asynchronous stdout/stderr readers drain.
        qemu.WaitForExit();
        _clock.Stop();

        var raw = ReadOutput();
        var console = ConsoleLog;
        var match = ExitRegex().Matches(raw).LastOrDefault() ?? ExitRegex().Matches(console).LastOrDefault();
        if (match is null)
        {
            throw new GuestFailedException(
                $"QEMU exited with {qemu.ExitCode} before the guest reported an exit status (kernel panic, missing module or QEMU error?)",
                Describe(_options.HostContext?.Invoke()));
        }
        var output = string.Join('\n', raw.Split('\n').Where(l => !l.StartsWith(ExitMarker, StringComparison.Ordinal)));
        return new GuestRunResult(int.Parse(match.Groups[1].Value), output, console, _clock.Elapsed, _image.KernelVersion);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (_qemu is { } qemu)
        {
            try
            {
                await qemu.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception)
            {
                // Best effort: the process was killed.
            }
            qemu.Dispose();
        }
        if (_holdsSlot)
        {
            _holdsSlot = false;
            Slots.Release();
        }
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void Launch(string qemuPath)
    {
        var initrd = Path.Combine(_workDir, "initrd.img");
        using (var file = File.Create(initrd))
        {
            using (var baseImage = File.OpenRead(_image.Initrd))
            {
                baseImage.CopyTo(file);
            }
            // An appended uncompressed cpio archive must start on a 4-byte boundary.
            while (file.Length % 4 != 0)
            {
                file.WriteByte(0);
            }
            var overlay = NewcArchive.Build([NewcArchive.File("test.sh", _options.Script), .. _options.ExtraFiles]);
            file.Write(overlay);
        }

        // guestfwd to a "tcp:" chardev is ONE connection made when QEMU starts, shared by every guest
        // connection (a second mount garbles the first); "cmd:" runs a relay per guest connection.
        // The relay sets TCP_NODELAY (busybox nc does not: reads were ~10x slower).
        var python = FindExecutable("python3", "python3", "/usr/bin");
        var relay = Path.Combine(AppContext.BaseDirectory, "Harness", "guestfwd-relay.py");
        if (!File.Exists(relay))
        {
            throw new InvalidOperationException($"{relay} is missing from the test output");
        }
        var nic = "user,model=e1000,restrict=on" +
                  string.Concat(_options.Ports.Select(p => $",guestfwd=tcp:{GuestServerAddress}:{p}-cmd:{python} {relay} {p}"));
        var psi = new ProcessStartInfo(qemuPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     "-accel", "tcg", "-m", _options.MemoryMb.ToString(),
                     "-nodefaults", "-display", "none", "-no-reboot",
                     "-serial", "stdio",                    // ttyS0: kernel console
                     "-serial", "file:" + _outputFile,      // ttyS1: the script's output
                     "-kernel", _image.Kernel, "-initrd", initrd,
                     "-append", "console=ttyS0 quiet panic=-1",
                     "-nic", nic,
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        var qemu = new Process { StartInfo = psi, EnableRaisingEvents = true };
        qemu.OutputDataReceived += (_, e) => AppendConsole(e.Data);
        qemu.ErrorDataReceived += (_, e) => AppendConsole(e.Data is null ? null : "[qemu stderr] " + e.Data);
        _clock.Start();
        if (!qemu.Start())
        {
            throw new InvalidOperationException($"could not start {qemuPath}");
        }
        _qemu = qemu;
        qemu.StandardInput.Close();
        qemu.BeginOutputReadLine();
        qemu.BeginErrorReadLine();
    }

    private void AppendConsole(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_console)
        {
            _console.AppendLine(line.TrimEnd('\r'));
        }
    }

    private string ReadOutput()
    {
        try
        {
            using var stream = new FileStream(_outputFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd().Replace("\r", "");
        }
        catch (FileNotFoundException)
        {
            return "";
        }
        catch (DirectoryNotFoundException)
        {
            return "";
        }
    }

    private string Describe(string? context) =>
        new GuestRunResult(-1, ReadOutput(), ConsoleLog, _clock.Elapsed, _image.KernelVersion).Describe(context);

    private void Kill()
    {
        try
        {
            if (_qemu is { HasExited: false } qemu)
            {
                qemu.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static string FindQemu() => FindExecutable("qemu-system-x86_64", "qemu-system-x86", "/usr/bin");

    private static string FindExecutable(string name, string package, params string[] extraDirs)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(extraDirs))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"{name} not found on PATH: install {package} (build/install-prerequisites.sh).");
    }

    [GeneratedRegex(ExitMarker + @"(\d+)")]
    private static partial Regex ExitRegex();
}
