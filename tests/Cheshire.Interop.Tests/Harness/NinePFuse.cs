using System.Diagnostics;
using System.Text;
using Cheshire.Testing;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// plan9port's 9pfuse (a FUSE client speaking 9P2000 through lib9pclient), built outside this repository
/// (tests/Cheshire.Interop.Tests/README.md), mounting a 9P server on 127.0.0.1 at a fresh folder. It mounts through
/// <c>fusermount</c> (Debian's fuse3 provides it); the command returns once the mount is up and leaves a background
/// half serving it, which still holds our output pipes: their end tells that it has exited. Unmounted with
/// <c>fusermount -u -z</c> on dispose.
/// </summary>
public sealed class NinePFuse : IAsyncDisposable
{
    public const string BinaryVariable = "CHESHIRE_9PFUSE";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NinePFuse(Process process, string mountPoint, string commandLine)
    {
        _process = process;
        MountPoint = mountPoint;
        CommandLine = commandLine;
    }

    public string MountPoint { get; }

    public string CommandLine { get; }

    /// <summary>$CHESHIRE_9PFUSE, else ${XDG_CACHE_HOME:-~/.cache}/cheshire/9pfuse/9pfuse.</summary>
    public static string DefaultBinary
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable(BinaryVariable);
            return string.IsNullOrEmpty(configured)
                ? Path.Combine(CheshireCache.Folder(BinaryVariable, "9pfuse"), "9pfuse")
                : configured;
        }
    }

    /// <summary>The 9pfuse binary, or null with what is missing (the binary, fusermount or /dev/fuse).</summary>
    public static string? TryLocate(out string missing)
    {
        var binary = DefaultBinary;
        if (!File.Exists(binary))
        {
            missing = $"9pfuse is not at {binary}: build plan9port's 9pfuse from its source outside this repository and put it there, " +
                      $"or point {BinaryVariable} at it (tests/Cheshire.Interop.Tests/README.md).";
            return null;
        }
        if (FindOnPath("fusermount") is null)
        {
            missing = "fusermount is not on PATH (9pfuse mounts through it): install Debian's fuse3 (build/install-prerequisites.sh).";
            return null;
        }
        if (!File.Exists("/dev/fuse"))
        {
            missing = "/dev/fuse does not exist: this machine cannot mount FUSE file systems.";
            return null;
        }
        missing = "";
        return binary;
    }

    /// <summary>Mounts tcp!127.0.0.1!<paramref name="port"/> at a new folder and waits until the mount answers.</summary>
    public static async Task<NinePFuse> MountAsync(string binary, int port, string? aname = null, CancellationToken ct = default)
    {
        var mountPoint = ModuleProcess.NewTempDirectory("9pfuse-mnt");
        var info = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (aname is not null)
        {
            info.ArgumentList.Add("-a");
            info.ArgumentList.Add(aname);
        }
        info.ArgumentList.Add($"tcp!127.0.0.1!{port}");
        info.ArgumentList.Add(mountPoint);
        var process = Process.Start(info)!;
        var fuse = new NinePFuse(process, mountPoint, binary + " " + string.Join(' ', info.ArgumentList));
        process.OutputDataReceived += (_, e) => fuse.Append(e.Data, fuse._outputClosed);
        process.ErrorDataReceived += (_, e) => fuse.Append(e.Data, fuse._errorClosed);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Eventually.TrueAsync(() =>
            {
                if (process.HasExited && process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"9pfuse failed to mount:\n{fuse.Describe()}");
                }
                return Task.FromResult(process.HasExited && IsFuseMount(mountPoint));
            }, Bound, $"9pfuse mounted at {mountPoint}", ct);
            return fuse;
        }
        catch
        {
            await fuse.DisposeAsync();
            throw;
        }
    }

    /// <summary>The command line and what 9pfuse printed, for failure messages.</summary>
    public string Describe()
    {
        lock (_log)
        {
            var state = !_process.HasExited ? "mounting" : _process.ExitCode != 0 ? $"exited with {_process.ExitCode}"
                : Task.WhenAll(_outputClosed.Task, _errorClosed.Task).IsCompleted ? "exited" : "serving";
            return $"9pfuse ({state}): {CommandLine}\n{_log}";
        }
    }

    /// <summary>True when /proc/self/mountinfo lists a FUSE file system mounted at <paramref name="path"/>.</summary>
    public static bool IsFuseMount(string path) =>
        File.ReadLines("/proc/self/mountinfo").Select(line => line.Split(' ')).Any(fields =>
            fields.Length > 4 && fields[4] == path &&
            fields.SkipWhile(f => f != "-").Skip(1).FirstOrDefault() is { } type && type.StartsWith("fuse", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        Exception? unmount = null;
        try
        {
            if (IsFuseMount(MountPoint))
            {
                // -z: detach even if a failed test left a file open; 9pfuse then reads EOF from /dev/fuse and exits.
                await RunFusermountAsync("-u", "-z", "--", MountPoint);
            }
        }
        catch (InvalidOperationException e)
        {
            unmount = e;
        }
        if (!_process.HasExited)
        {
            _process.Kill();
        }
        try
        {
            await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            unmount ??= new InvalidOperationException($"9pfuse still runs 10 s after the unmount of {MountPoint}:\n{Describe()}");
        }
        _process.Dispose();
        if (!IsFuseMount(MountPoint))
        {
            Directory.Delete(MountPoint);
        }
        if (unmount is not null)
        {
            throw unmount;
        }
    }

    private static async Task RunFusermountAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("fusermount") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"fusermount {string.Join(' ', arguments)} exited with {process.ExitCode}: {error}");
        }
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private void Append(string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
