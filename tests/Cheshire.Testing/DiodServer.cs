using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cheshire.Testing;

/// <summary>A real diod (9P2000.L server) on 127.0.0.1 exporting a fresh temporary directory.</summary>
public sealed class DiodServer : IAsyncDisposable
{
    private readonly Process _process;

    private DiodServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }
    public string Directory { get; }

    public static Task<DiodServer> StartAsync() =>
        StartAsync(FreePorts.Tcp(), System.IO.Directory.CreateTempSubdirectory("cheshire-diod-").FullName);

    /// <summary>Starts diod on a given port and directory (to restart a killed one in place).</summary>
    public static async Task<DiodServer> StartAsync(int port, string directory)
    {
        var diod = new[] { "/usr/sbin/diod", "/usr/bin/diod", "/usr/local/sbin/diod" }.FirstOrDefault(File.Exists);
        if (diod is null)
            throw new InvalidOperationException(
                "diod is not installed: run build/install-prerequisites.sh (or apt-get install -y diod); these tests need a real 9P2000.L peer");
        var start = new ProcessStartInfo(diod!)
        {
            ArgumentList = { "-f", "-n", "-N", "-l", $"127.0.0.1:{port}", "-e", directory, "-L", "stderr" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("diod did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new DiodServer(process, port, directory);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return server;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(5) && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException e)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"diod did not listen on 127.0.0.1:{port}", e);
            }
        }
    }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        if (!System.IO.Directory.Exists(Directory)) return;
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
