using System.Diagnostics;
using System.Globalization;
using Cheshire.Integration.Tests;
using Cheshire.Protos;
using Cheshire.Protos.Modules;
using Cheshire.Testing;
using Grpc.Net.Client;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// An installed module does not outlive its node: the supervisor runs it itself, and it dies with the AppHost even when
/// the AppHost is killed (SIGKILL) and can stop nothing. The AppHost runs as a user runs it (dotnet run, its own process).
/// </summary>
[Collection(nameof(InstallNode))]
public sealed class InstalledModuleLifetimeTests(InstallNodeFixture node)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnInstalledModuleDiesWithAKilledAppHost()
    {
        if (!Install.BoundProcessLauncher.Bound)
            Assert.Skip("setpriv (util-linux) is not installed: installed modules cannot be bound to the AppHost's life on this machine.");
        // An installed module's folder and build, made by the shared node, given to a node of its own that starts it at start.
        ModulePackage.Write(node.Packages, "keeper");
        await node.Modules.InstallAsync(new InstallRequest { Path = $"{InstallNodeFixture.ExportPath}/keeper" }, cancellationToken: Ct);
        var data = ModuleProcess.NewTempDirectory("killed-apphost");
        var keeperPid = 0;
        try
        {
            Copy(Path.Combine(node.InstalledDirectory, "keeper"), Path.Combine(data, "modules", "keeper"));
            Copy(Path.Combine(node.DataDirectory, "builds", "installed", "keeper"), Path.Combine(data, "builds", "installed", "keeper"));
            await node.Modules.UninstallAsync(new ModuleRequest { Name = "keeper" }, cancellationToken: Ct);

            var offset = NodePortMap.FreeOffsets(1)[0];
            await using var appHost = AppHostProcess.Start($"Cheshire:DataDir={data}", $"Cheshire:PortOffset={offset.ToString(CultureInfo.InvariantCulture)}",
                "Cheshire:Supervisor:Watch=false");
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{(SupervisorSettings.DefaultPort + offset).ToString(CultureInfo.InvariantCulture)}");
            var modules = new Protos.Modules.Modules.ModulesClient(channel);
            var keeper = await appHost.WhileRunningAsync(token => Eventually.SucceedsAsync(async () =>
            {
                var s = await modules.GetAsync(new ModuleRequest { Name = "keeper" }, cancellationToken: token);
                return s.State == ModuleState.Running && s.ProcessId != 0 ? s : throw new InvalidOperationException($"keeper is {s.State}");
            }, StartTimeout, "keeper running in the node run by dotnet run", token), Ct);
            keeperPid = keeper.ProcessId;
            var appHostPid = (await modules.GetInfoAsync(new GetInfoRequest(), cancellationToken: Ct)).ProcessId;
            Assert.Equal(appHostPid, ParentOf(keeperPid)); // the AppHost runs it itself, not through DCP
            Assert.Equal(ModulePackage.Greeting, await ModulePackage.GreetingAsync(keeper, Ct));

            using (var process = Process.GetProcessById(appHostPid))
                process.Kill(); // SIGKILL: the AppHost stops nothing
            var killed = Stopwatch.StartNew();
            await Eventually.TrueAsync(() => Task.FromResult(!IsAlive(keeperPid)), TimeSpan.FromSeconds(5), $"keeper (process {keeperPid}) gone", Ct);
            TestContext.Current.TestOutputHelper?.WriteLine($"keeper gone {killed.Elapsed.TotalMilliseconds:0} ms after the AppHost's SIGKILL");
        }
        finally
        {
            // DCP ends the node's other modules by itself once the AppHost is gone; a module still running is ended here.
            if (keeperPid != 0 && IsAlive(keeperPid))
                Process.GetProcessById(keeperPid).Kill();
            await AppHostProcess.WaitForModulesGoneAsync(data);
            Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Alive: its /proc entry is there and it is not a zombie (an ended process its new parent has not reaped).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var directory in Directory.EnumerateDirectories(from))
            Copy(directory, Path.Combine(to, Path.GetFileName(directory)));
    }
}
