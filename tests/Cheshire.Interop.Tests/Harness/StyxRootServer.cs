using Cheshire.Testing;
using System.Reflection;

namespace Cheshire.Interop.Tests.Harness;

/// <summary>
/// services/styx-root started standalone: <c>dotnet Cheshire.StyxRoot.dll --Styx:Endpoint=127.0.0.1:PORT
/// --Cheshire:DataDir=DIR</c>, with its gRPC/HTTP endpoints on ephemeral loopback ports.
/// </summary>
public sealed class StyxRootServer : ServerProcess
{
    private StyxRootServer(string dotnet, string dll, string dataDir, int port, int grpcPort, IEnumerable<string> extraArguments)
        : base("styx-root", dotnet,
            [
                dll,
                $"--Styx:Endpoint=127.0.0.1:{port}",
                $"--Cheshire:DataDir={dataDir}",
                $"--Kestrel:Endpoints:grpc:Url=http://127.0.0.1:{grpcPort}",
                "--Kestrel:Endpoints:http:Url=http://127.0.0.1:0",
                .. extraArguments,
            ],
            port,
            new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Development", ["ASPNETCORE_ENVIRONMENT"] = "Development" },
            Path.GetDirectoryName(dll))
    {
        DataDir = dataDir;
        GrpcPort = grpcPort;
    }

    /// <summary>The gRPC (HTTP/2 without TLS) endpoint: Namespace and health services.</summary>
    public int GrpcPort { get; }

    public Uri GrpcAddress => new($"http://127.0.0.1:{GrpcPort}");

    public string DataDir { get; }

    /// <summary>Where the test project expects the built service (same configuration as the tests).</summary>
    public static string DllPath =>
        typeof(StyxRootServer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "StyxRootDll").Value!;

    public static async Task<StyxRootServer> StartAsync(string dataDir, params string[] extraArguments)
    {
        var dll = DllPath;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException(
                $"styx-root is not built: {dll} does not exist. Build services/styx-root " +
                "(dotnet build tests/Cheshire.Interop.Tests builds it through its ProjectReference).");
        }
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(dotnet) || !File.Exists(dotnet))
        {
            dotnet = FindExecutable("dotnet", "the .NET SDK", "/usr/share/dotnet", "/usr/lib/dotnet");
        }
        var server = new StyxRootServer(dotnet, dll, dataDir, FreePorts.Tcp(), FreePorts.Tcp(), extraArguments);
        try
        {
            await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }
}
