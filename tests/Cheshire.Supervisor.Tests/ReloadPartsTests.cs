using Cheshire.Modules;
using Cheshire.Supervisor.Reload;
using Cheshire.Testing;
using Microsoft.Extensions.Configuration;

namespace Cheshire.Supervisor.Tests;

/// <summary>The pieces of restart on source change that need no node: descriptors, settings, TRX, build errors, sources.</summary>
public sealed class ReloadPartsTests : IDisposable
{
    private readonly string _folder = ModuleProcess.NewTempDirectory("reload-parts");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EveryModuleDeclaresFastTestsThatExist()
    {
        var graph = ModuleGraph.Load(Path.Combine(ModuleProcess.RepositoryRoot, "services"));
        foreach (var module in graph.Modules)
        {
            Assert.NotNull(module.Tests);
            Assert.True(File.Exists(Path.Combine(module.Directory, module.Tests.Project)), $"{module.Name}: {module.Tests.Project}");
            Assert.StartsWith("/*/*/", module.Tests.Filter);
        }
    }

    [Theory]
    [InlineData("""{ "project": "", "filter": "/*/*/X/*" }""", "tests.project '' is not a .csproj path")]
    [InlineData("""{ "project": "../t/T.csproj", "filter": "XTests" }""", "tests.filter 'XTests' is not an xunit query filter")]
    public void ABadTestsEntryIsRefusedNamingTheField(string tests, string message)
    {
        var path = Write("m/module.json", $$"""{ "name": "m", "project": "M.csproj", "tests": {{tests}} }""");
        var error = Assert.Throws<InvalidDataException>(() => ModuleDescriptor.Load(path));
        Assert.Contains(message, error.Message);
        Assert.StartsWith(path, error.Message);
    }

    [Theory]
    [InlineData(ReloadSettings.DebounceMillisecondsKey, "-1", "is not a whole number from 0 to 60000")]
    [InlineData(ReloadSettings.WatchKey, "maybe", "is not true or false")]
    [InlineData(ReloadSettings.SourceDirectoryKey, "/nonexistent", "has no services folder")]
    public void BadReloadSettingsAreRefusedNamingTheKey(string key, string value, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();
        var error = Assert.Throws<InvalidOperationException>(() => ReloadSettings.Read(configuration, _folder, _folder));
        Assert.StartsWith($"{key} '{value}' ", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TrxResultsGiveTheCountAndEachFailureWithItsMessage()
    {
        var path = Write("r.trx", """
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010"><Results>
              <UnitTestResult testName="A.B.Passes" outcome="Passed" />
              <UnitTestResult testName="A.B.Fails" outcome="Failed"><Output><ErrorInfo>
                <Message>Assert.Equal() Failure: Values differ</Message><StackTrace>at A.B.Fails() in B.cs:line 3
            at next</StackTrace></ErrorInfo></Output></UnitTestResult>
            </Results></TestRun>
            """);
        var (total, failures) = TrxResults.Read(path);
        Assert.Equal(2, total);
        var failure = Assert.Single(failures);
        Assert.Equal("A.B.Fails", failure.Name);
        Assert.Equal("Assert.Equal() Failure: Values differ\nat A.B.Fails() in B.cs:line 3\nat next", failure.Message);
    }

    [Fact]
    public void BuildErrorsAreSummarisedWithoutTheProjectAndCounted()
    {
        var lines = Enumerable.Range(1, 5).Select(i => $"/s/X.cs({i},1): error CS1002: ; expected [/s/X.csproj]");
        var summary = BuildErrors.Summary(new CommandResult(1, string.Join('\n', lines.Append(lines.First())), TimeSpan.Zero));
        Assert.Equal("/s/X.cs(1,1): error CS1002: ; expected; /s/X.cs(2,1): error CS1002: ; expected; /s/X.cs(3,1): error CS1002: ; expected (and 2 more)", summary);
        Assert.Equal("dotnet build exited with code 1: MSBUILD : something else",
            BuildErrors.Summary(new CommandResult(1, "MSBUILD : something else\n", TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("/src/services/dht/Node/DhtNode.cs", true)]
    [InlineData("/src/services/dht/module.json", true)]
    [InlineData("/src/services/dht/bin/Debug/net10.0/Cheshire.Dht.dll", false)]
    [InlineData("/src/services/dht/obj/project.assets.json", false)]
    [InlineData("/src/services/dht/.vs/x", false)]
    [InlineData("/src/services/dht/DhtNode.cs~", false)]
    [InlineData("/src/services/dht/.DhtNode.cs.swp", false)]
    public void OnlySourcesCount(string path, bool source) => Assert.Equal(source, SourceTree.IsSource(path));

    [Fact]
    public void AProjectsClosureFollowsProjectReferencesOnce()
    {
        var app = Write("services/a/A.csproj", """<Project><ItemGroup><ProjectReference Include="../../libs/l/L.csproj" /><ProjectReference Include="..\..\libs\m\M.csproj" /></ItemGroup></Project>""");
        var l = Write("libs/l/L.csproj", """<Project><ItemGroup><ProjectReference Include="../m/M.csproj" /></ItemGroup></Project>""");
        var m = Write("libs/m/M.csproj", """<Project><ItemGroup><ProjectReference Include="../l/L.csproj" /></ItemGroup></Project>""");
        Assert.Equal([app, l, m], ProjectClosure.Of(app));
    }

    [Fact]
    public void AChangeToALibReloadsEveryModuleThatUsesItInDependencyOrderAndAModuleFileOnlyThatModule()
    {
        var root = ModuleProcess.RepositoryRoot;
        var graph = ModuleGraph.Load(Path.Combine(root, "services"));
        var sources = new SourceTree(new ReloadSettings { CheckoutDirectory = root, SourceDirectory = root, DataDirectory = _folder }, graph);
        string At(string relative) => Path.Combine(root, relative);

        var defaults = sources.Affected([At("orchestrator/Cheshire.ServiceDefaults/Extensions.cs")]);
        Assert.Equal(["mainline-dht", "dht", "styx-client", "styx-provider", "styx-root"], defaults.Select(a => a.Module.Name));
        Assert.All(defaults, a => Assert.Equal(["orchestrator/Cheshire.ServiceDefaults/Extensions.cs"], a.Files));

        var kademlia = sources.Affected([At("libs/Cheshire.Kademlia/KademliaNode.cs")]).Select(a => a.Module.Name).ToList();
        Assert.Equal("dht", kademlia[0]);
        Assert.Equal(graph.Modules.Select(m => m.Name).Where(kademlia.Contains), kademlia);

        var dht = Assert.Single(sources.Affected([At("services/dht/DhtApi.cs"), At("README.md")]));
        Assert.Equal("dht", dht.Module.Name);
        Assert.Equal(["services/dht/DhtApi.cs"], dht.Files);
    }
}
