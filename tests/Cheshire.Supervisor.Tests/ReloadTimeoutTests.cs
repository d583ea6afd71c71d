using System.Diagnostics;
using Cheshire.Modules;
using Cheshire.Supervisor.Reload;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// A build or test run that runs into its time limit is a failed reload or Modules.Test with the reason, not an exception
/// that ends the reload unreported.
/// </summary>
public sealed class ReloadTimeoutTests : IDisposable
{
    private readonly string _folder = ModuleProcess.NewTempDirectory("reload-timeout");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ACommandPastItsTimeLimitIsKilledAndReportedAsTimedOut()
    {
        var log = Path.Combine(_folder, "logs", "hangs.log");
        var assembly = await NeverEndingAssemblyAsync(_folder, "Hangs");
        var result = await DotnetCommand.RunAsync(["exec", assembly], _folder, log, TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromMilliseconds(300), result.TimedOutAfter);
        Assert.False(result.Succeeded);
        Assert.Equal($"dotnet build did not finish within 0.3 s (log: {log})", BuildErrors.Summary(result));
    }

    [Fact]
    public async Task ATestRunPastItsTimeLimitIsAFailedOutcomeSayingSo()
    {
        var root = ModuleProcess.RepositoryRoot;
        var graph = ModuleGraph.Load(Path.Combine(root, "services"));
        var dht = graph.Modules.Single(m => m.Name == "dht");
        var settings = new ReloadSettings
        {
            CheckoutDirectory = root, SourceDirectory = root, DataDirectory = _folder, TestTimeout = TimeSpan.FromMilliseconds(500),
        };
        var sources = new SourceTree(settings, graph);
        var builds = new ModuleBuilds(settings.BuildsDirectory);
        var builder = new ModuleBuilder(settings, sources, builds);
        // Where the build would have put the test assembly.
        var project = sources.TestProjectOf(dht)!;
        var output = Path.Combine(builder.TreeDirectory, Path.GetRelativePath(root, Path.GetDirectoryName(project)!), "bin", "Debug", "net10.0");
        await NeverEndingAssemblyAsync(output, Path.GetFileNameWithoutExtension(project));

        var outcome = await new ModuleTestRunner(settings, sources, builder)
            .RunAsync(dht, new ModuleBuild(1, "1.test", ""), "", TestContext.Current.CancellationToken);

        Assert.False(outcome.Passed);
        Assert.StartsWith("the test run did not finish within 0.5 s (log: ", outcome.Summary);
        Assert.EndsWith("dht-1-tests.log)", outcome.Summary);
    }

    /// <summary>
    /// FOLDER/NAME.dll whose `dotnet exec` never ends: the host waits to read its runtimeconfig.json, a FIFO no one writes to.
    /// </summary>
    private static async Task<string> NeverEndingAssemblyAsync(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        var assembly = Path.Combine(folder, name + ".dll");
        await File.WriteAllBytesAsync(assembly, [], TestContext.Current.CancellationToken);
        using var mkfifo = Process.Start("mkfifo", [Path.Combine(folder, name + ".runtimeconfig.json")]);
        await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, mkfifo.ExitCode);
        return assembly;
    }
}
