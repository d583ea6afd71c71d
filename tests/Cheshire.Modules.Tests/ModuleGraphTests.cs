using Cheshire.Modules;

namespace Cheshire.Modules.Tests;

public sealed class ModuleGraphTests : IDisposable
{
    private readonly DirectoryInfo _services = Directory.CreateTempSubdirectory("cheshire-modules-");

    [Fact]
    public void TheRepositorysModulesLoadInDependencyOrder()
    {
        var services = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "services"));

        var graph = ModuleGraph.Load(services);

        var names = graph.Modules.Select(m => m.Name).ToList();
        Assert.Equal(["dht", "mainline-dht", "styx-client", "styx-provider", "styx-root"], names.Order());
        foreach (var module in graph.Modules)
            foreach (var dependency in module.DependsOn)
                Assert.True(names.IndexOf(dependency) < names.IndexOf(module.Name), $"{dependency} must come before {module.Name}");
        Assert.All(graph.Modules, m => Assert.True(File.Exists(m.ProjectPath), m.ProjectPath));
        Assert.Equal("Styx:Endpoint", Assert.Single(graph["styx-root"].Endpoints).Setting);
    }

    [Fact]
    public void ACycleIsNamedStepByStep()
    {
        Write("a", """{ "name": "a", "project": "a.csproj", "dependsOn": ["b"] }""");
        Write("b", """{ "name": "b", "project": "b.csproj", "dependsOn": ["a"] }""");

        var error = Assert.Throws<InvalidDataException>(() => ModuleGraph.Load(_services.FullName));

        Assert.Contains("cycle: a -> b -> a", error.Message);
    }

    [Fact]
    public void AMissingDependencyIsNamed()
    {
        Write("a", """{ "name": "a", "project": "a.csproj", "dependsOn": ["ghost"] }""");

        var error = Assert.Throws<InvalidDataException>(() => ModuleGraph.Load(_services.FullName));

        Assert.Contains("'a' depends on 'ghost', which has no module.json", error.Message);
    }

    [Theory]
    [InlineData("""{ "name": "Bad Name", "project": "x.csproj" }""", "module name 'Bad Name'")]
    [InlineData("""{ "name": "x", "project": "x.csproj", "colour": "blue" }""", "colour")]
    [InlineData("""{ "name": "x" }""", "project")]
    [InlineData("""{ "name": "x", "project": "x.csproj", "endpoints": [{ "name": "e", "port": 70000, "setting": "X:E" }] }""", "port 70000")]
    [InlineData("""{ "name": "x", "project": "x.csproj", "endpoints": [{ "name": "e", "port": 1, "protocol": "sctp", "setting": "X:E" }] }""", "protocol 'sctp'")]
    [InlineData("""{ "name": "x", "project": "x.csproj", "endpoints": [{ "name": "e", "port": 1, "setting": "X:E", "format": "url" }] }""", "format 'url'")]
    [InlineData("""{ "name": "x", "project": """, "module.json")]
    public void ABadDescriptorIsRejectedWithItsPathAndReason(string json, string reason)
    {
        var path = Write("x", json);

        var error = Assert.Throws<InvalidDataException>(() => ModuleDescriptor.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void TwoModulesWithOneNameAreRejected()
    {
        Write("one", """{ "name": "same", "project": "a.csproj" }""");
        Write("two", """{ "name": "same", "project": "b.csproj" }""");

        Assert.Contains("Two modules are named 'same'", Assert.Throws<InvalidDataException>(() => ModuleGraph.Load(_services.FullName)).Message);
    }

    [Fact]
    public void AModuleCannotTakeTheSupervisorsName()
    {
        Write("supervisor", """{ "name": "supervisor", "project": "a.csproj" }""");

        Assert.Equal("A module may not be named 'supervisor': modules find the supervisor under that name.",
            Assert.Throws<InvalidDataException>(() => ModuleGraph.Load(_services.FullName)).Message);
    }

    private string Write(string folder, string json)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_services.FullName, folder));
        var path = Path.Combine(directory.FullName, ModuleDescriptor.FileName);
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => _services.Delete(recursive: true);
}
