using Cheshire.Testing;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>A 9P server started as a child process on 127.0.0.1:Port; its output is kept for failure messages.</summary>
public class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    protected ServerProcess(string name, string fileName, IEnumerable<string> arguments, int port,
        IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        Name = name;
        Port = port;
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }
        CommandLine = fileName + " " + string.Join(' ', psi.ArgumentList);
        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Port { get; }

    public string CommandLine { get; }

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The server's command line and output (the last <paramref name="maxLines"/> lines), for failure messages.</summary>
    public string Describe(int maxLines = 400)
    {
        var lines = Log.Split('\n');
        var shown = lines.Length > maxLines ? lines[^maxLines..] : lines;
        var state = _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
        return $"{Name} ({state}): {CommandLine}{Environment.NewLine}" +
               (lines.Length > maxLines ? $"[... {lines.Length - maxLines} earlier lines]{Environment.NewLine}" : "") +
               string.Join('\n', shown);
    }

    /// <summary>Picks a free loopback TCP port (bind to 0, read, release).</summary>

    /// <summary>Waits until the server accepts TCP connections on its port.</summary>
    protected async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"{Name} exited before listening on 127.0.0.1:{Port}.{Environment.NewLine}{Describe()}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(2));
                return;
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"{Name} did not listen on 127.0.0.1:{Port} within {timeout.TotalSeconds:F0} s.{Environment.NewLine}{Describe()}");
                }
                await Task.Delay(100);
            }
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
        }
        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    protected static string FindExecutable(string name, string package, params string[] extraDirs)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraDirs);
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"{name} not found: install {package} (build/install-prerequisites.sh).");
    }
}

/// <summary>diod, the reference 9P2000.L server, exporting one directory (clients use aname=DIR, uname=root).</summary>
public sealed class DiodServer : ServerProcess
{
    private DiodServer(string diod, string exportDir, int port)
        : base("diod", diod, ["-f", "-n", "-N", "-l", $"127.0.0.1:{port}", "-e", exportDir], port)
    {
        ExportDir = exportDir;
    }

    public string ExportDir { get; }

    public static async Task<DiodServer> StartAsync(string exportDir)
    {
        var diod = FindExecutable("diod", "diod", "/usr/sbin", "/sbin");
        var server = new DiodServer(diod, exportDir, FreePorts.Tcp());
        try
        {
            await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(20));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
