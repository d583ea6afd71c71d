using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cheshire.Bench.Styx;

/// <summary>A 9P server under test: its address, the aname that reaches the benchmark folder, and its process.</summary>
public sealed record Server(string Name, int Port, string Aname, Process Process) : IDisposable
{
    public string Uname => "root";

    public static Server StartDiod(string directory)
    {
        var port = FreePort();
        var process = Start("diod", $"-f -n -N -l 127.0.0.1:{port} -e {directory}");
        return new Server("diod", port, directory, process);
    }

    public static Server StartStyxRoot(string repoRoot, string dataDirectory)
    {
        var dll = Path.Combine(repoRoot, "services", "styx-root", "bin", "Release", "net10.0", "Cheshire.StyxRoot.dll");
        if (!File.Exists(dll))
            dll = Path.Combine(repoRoot, "services", "styx-root", "bin", "Debug", "net10.0", "Cheshire.StyxRoot.dll");
        int port = FreePort(), grpc = FreePort(), http = FreePort();
        var process = Start("dotnet", $"{dll} --Styx:Endpoint=127.0.0.1:{port} --Cheshire:DataDir={dataDirectory} " +
                                      $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc} --Kestrel:Endpoints:http:Url=http://127.0.0.1:{http} " +
                                      "--Logging:LogLevel:Default=Warning");
        return new Server("cheshire", port, "/tmp", process);
    }

    public async Task WaitListeningAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                if (Process.HasExited)
                    throw new InvalidOperationException($"{Name} exited with {Process.ExitCode}");
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"{Name} is not listening on {Port}");
    }

    /// <summary>User + system CPU seconds the server process has used so far.</summary>
    public double CpuSeconds
    {
        get
        {
            Process.Refresh();
            return Process.TotalProcessorTime.TotalSeconds;
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
            Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        Process.Dispose();
    }

    private static Process Start(string file, string arguments) =>
        Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = false, RedirectStandardError = false })!;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
