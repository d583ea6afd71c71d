using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Cheshire.Bench.Styx;

/// <summary>
/// A 9P server under test: its address, the aname that reaches the benchmark folder, and the processes that do the work
/// for it (styx-root → provider: both), whose CPU time is counted against it.
/// </summary>
public sealed record Server(string Name, int Port, string Aname, IReadOnlyList<(string Name, Process Process)> Processes)
{
    public string Uname => "root";

    public static Server StartDiod(string directory)
    {
        var port = FreePort();
        var process = Start("diod", $"-f -n -N -l 127.0.0.1:{port} -e {directory}");
        return new Server("diod", port, directory, [("diod", process)]);
    }

    /// <summary>styx-root serving its in-memory /tmp; <paramref name="grpcPort"/> is its Namespace API.</summary>
    public static Server StartStyxRoot(string repoRoot, string dataDirectory, out int grpcPort)
    {
        int port = FreePort(), grpc = FreePort(), http = FreePort();
        var process = Start("dotnet", $"{ModuleDll(repoRoot, "styx-root", "Cheshire.StyxRoot")} --Styx:Endpoint=127.0.0.1:{port} " +
                                      $"--Cheshire:DataDir={dataDirectory} " +
                                      $"{Kestrel(grpc, http)} " +
                                      "--Logging:LogLevel:Default=Warning");
        grpcPort = grpc;
        return new Server("cheshire", port, "/tmp", [("styx-root", process)]);
    }

    /// <summary>
    /// styx-provider exporting <paramref name="directory"/> at /export, on its own TCP listener, mounted at /export in the
    /// namespace of the styx-root whose Namespace API is on <paramref name="rootGrpcPort"/>.
    /// </summary>
    /// <paramref name="delegateExports"/> false: styx-root relays every 9P message to the provider (Provider:DelegateExports=false);
    /// true (the provider's default): styx-root takes the export's root descriptor and serves it itself.
    public static Server StartProvider(string repoRoot, string dataDirectory, string directory, int rootGrpcPort, bool delegateExports = true)
    {
        Directory.CreateDirectory(dataDirectory);
        File.WriteAllText(Path.Combine(dataDirectory, "exports.json"),
            $$"""{ "/export": { "server": "export", "root": {{System.Text.Json.JsonSerializer.Serialize(directory)}} } }""");
        int port = FreePort(), grpc = FreePort(), http = FreePort();
        var process = Start("dotnet", $"{ModuleDll(repoRoot, "styx-provider", "Cheshire.StyxProvider")} --Provider:Endpoint=127.0.0.1:{port} " +
                                      $"--services:styx-root:grpc:0=http://127.0.0.1:{rootGrpcPort} --Provider:ReconcileSeconds=0.5 " +
                                      $"--Provider:DelegateExports={(delegateExports ? "true" : "false")} " +
                                      $"--Cheshire:DataDir={dataDirectory} " +
                                      $"{Kestrel(grpc, http)} " +
                                      "--Logging:LogLevel:Default=Warning");
        return new Server("provider", port, "/export", [("styx-provider", process)]);
    }

    /// <summary>The same export read through styx-root's namespace: the client talks to styx-root, which talks to the provider.</summary>
    public static Server ThroughRoot(Server root, Server provider, string name = "root→provider") =>
        new(name, root.Port, provider.Aname, [.. root.Processes, .. provider.Processes]);

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
                if (Processes.FirstOrDefault(p => p.Process.HasExited) is { Process: { } exited } p)
                    throw new InvalidOperationException($"{p.Name} exited with {exited.ExitCode}");
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"{Name} is not listening on {Port}");
    }

    /// <summary>User + system CPU seconds each process has used so far.</summary>
    public double[] CpuSeconds()
    {
        var seconds = new double[Processes.Count];
        for (var i = 0; i < seconds.Length; i++)
        {
            Processes[i].Process.Refresh();
            seconds[i] = Processes[i].Process.TotalProcessorTime.TotalSeconds;
        }
        return seconds;
    }

    public static void Stop(Process process)
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }

    internal static string ModuleDll(string repoRoot, string folder, string assembly)
    {
        var dll = Path.Combine(repoRoot, "services", folder, "bin", "Release", "net10.0", assembly + ".dll");
        return File.Exists(dll) ? dll : Path.Combine(repoRoot, "services", folder, "bin", "Debug", "net10.0", assembly + ".dll");
    }

    // The content root is the benchmark's folder, so the module's own appsettings.json (which names the protocols) is not read.
    internal static string Kestrel(int grpc, int http) =>
        $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpc} --Kestrel:Endpoints:grpc:Protocols=Http2 " +
        $"--Kestrel:Endpoints:http:Url=http://127.0.0.1:{http} --Kestrel:Endpoints:http:Protocols=Http1";

    internal static Process Start(string file, string arguments) =>
        Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = false, RedirectStandardError = false })!;

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
