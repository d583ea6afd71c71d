using Aspire.Hosting;
using Cheshire.AppHost;
using Cheshire.Modules;
using Cheshire.Testing;

namespace Cheshire.Supervisor.Tests;

/// <summary>
/// The AppHost's start-up on a services folder of its own (a copy of the repository's layout in a temporary folder):
/// a bad module graph stops it with a message naming the problem (Program.cs prints it and exits with code 2), and
/// explicitStart is read from module.json and from Cheshire:ExplicitStart:NAME.
/// </summary>
public sealed class NodeGraphStartupTests : IDisposable
{
    private readonly string _root = ModuleProcess.NewTempDirectory("node-graph");

    private IDistributedApplicationBuilder Builder(params string[] settings) => DistributedApplication.CreateBuilder(new DistributedApplicationOptions
    {
        ProjectDirectory = Directory.CreateDirectory(Path.Combine(_root, "orchestrator", "Cheshire.AppHost")).FullName,
        Args = [$"--Cheshire:DataDir={Path.Combine(_root, "data")}", .. settings],
        DisableDashboard = true,
    });

    private void Module(string name, string dependsOn = "", string more = "")
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "services", name)).FullName;
        var dependencies = dependsOn.Length == 0 ? "" : $"\"{dependsOn}\"";
        File.WriteAllText(Path.Combine(folder, ModuleDescriptor.FileName),
            $$"""{ "name": "{{name}}", "project": "{{name}}.csproj", "dependsOn": [{{dependencies}}]{{more}} }""");
    }

    [Fact]
    public void ACycleStopsTheStartNamingIt()
    {
        Module("a", dependsOn: "b");
        Module("b", dependsOn: "a");
        var error = Assert.Throws<InvalidDataException>(() => Builder().AddCheshireNode());
        Assert.Equal("Module dependencies form a cycle: a -> b -> a.", error.Message);
    }

    [Fact]
    public void AMissingDependencyStopsTheStartNamingIt()
    {
        Module("a", dependsOn: "ghost");
        var error = Assert.Throws<InvalidDataException>(() => Builder().AddCheshireNode());
        Assert.Equal("Module 'a' depends on 'ghost', which has no module.json.", error.Message);
    }

    [Fact]
    public void ExplicitStartIsReadFromModuleJsonAndTheSettingOverridesIt()
    {
        Module("a", more: """, "explicitStart": true""");
        Module("b", dependsOn: "a");
        var graph = ModuleGraph.Load(Path.Combine(_root, "services"));
        Assert.True(graph["a"].ExplicitStart);
        Assert.False(graph["b"].ExplicitStart);

        var configuration = Builder("--Cheshire:ExplicitStart:a=false", "--Cheshire:ExplicitStart:b=true").Configuration;
        Assert.False(NodeBuilder.IsExplicitStart(configuration, graph["a"]));
        Assert.True(NodeBuilder.IsExplicitStart(configuration, graph["b"]));

        var error = Assert.Throws<InvalidOperationException>(() => Builder("--Cheshire:ExplicitStart:b=maybe").AddCheshireNode());
        Assert.Equal("Cheshire:ExplicitStart:b 'maybe' is not true or false.", error.Message);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
