using Cheshire.Deploy.Tests.Containers;
using Cheshire.Deploy.Tests.Manifests;
using YamlDotNet.RepresentationModel;

namespace Cheshire.Deploy.Tests.Swarm;

/// <summary>
/// The stack file deploy/swarm-stack.sh generates, checked against the settings the Kubernetes manifests are made of:
/// every module's settings carried over (with the swarm rewrites the README lists), the same security settings, and
/// clear refusals of bad arguments.
/// </summary>
public sealed class SwarmStackFileTests : IDisposable
{
    private static readonly string Script = Path.Combine(Kustomize.DeployDirectory, "swarm-stack.sh");
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("cheshire-swarm-stack-");

    [Fact]
    public async Task Every_module_is_a_service_with_the_manifests_settings_rewritten_for_swarm()
    {
        var services = (YamlMappingNode)(await GenerateAsync())["services"];

        Assert.Equal(DeployedModules.All.Select(m => m.Name).Order(), services.Children.Keys.Select(k => k.ToString()).Order());
        foreach (var module in DeployedModules.All.Select(m => m.Name))
        {
            var service = (YamlMappingNode)services[module];
            Assert.Equal(DockerEngine.Image(module), service["image"].ToString());
            Assert.Equal("10001:10001", service["user"].ToString());
            Assert.Equal("true", service["read_only"].ToString());
            Assert.Equal(["ALL"], ((YamlSequenceNode)service["cap_drop"]).Select(n => n.ToString()));
            Assert.DoesNotContain(service.Children.Keys, k => k.ToString() == "ports");

            var environment = Environment(services, module);
            foreach (var (key, value) in NodeSettings.For(module, prefix: ""))
            {
                if (module == "dht" && key == "Cheshire__InstanceDataDir") continue; // in the slot's volume, below
                var expected = value.Replace("dht-peers:", "tasks.dht:", StringComparison.Ordinal);
                if (key.StartsWith("services__", StringComparison.Ordinal))
                    expected = expected.Replace("127.0.0.1", key.Split("__")[1], StringComparison.Ordinal);
                Assert.True(environment.TryGetValue(key, out var actual), $"{module}: {key} missing from the stack");
                Assert.Equal(expected, actual);
            }
            Assert.Equal("/run/secrets/cheshire-node.key", environment["CHESHIRE_NODE_KEY_FILE"]);
        }

        Assert.Equal("tasks.dht:4222", Environment(services, "dht")["Dht__Bootstrap__0"]);
        Assert.Equal("tasks.styx-root", Environment(services, "styx-provider")["Provider__StyxRootReplicas"]);
        Assert.Equal("http://styx-root:5131", Environment(services, "styx-provider")["services__styx-root__grpc__0"]);
        // The styx modules share one data volume (their sockets); each dht slot has its own.
        foreach (var module in new[] { "styx-root", "styx-provider", "styx-client" })
            Assert.Contains("styx-data", Volumes(services, module));
        Assert.Contains("dht", Volumes(services, "dht"));
        Assert.StartsWith("/var/lib/cheshire/", Environment(services, "dht")["Cheshire__InstanceDataDir"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_or_wrong_arguments_are_refused_naming_what_is_wrong()
    {
        var usage = await Kustomize.RunAsync(Script, ["--keys", _folder.FullName]);
        Assert.Equal(2, usage.Exit);
        Assert.Contains("usage: deploy/swarm-stack.sh --keys DIR --exports-file FILE --exports-dir DIR", usage.Error, StringComparison.Ordinal);

        var noKeys = await Kustomize.RunAsync(Script, ["--keys", Path.Combine(_folder.FullName, "none"), "--exports-file", "x", "--exports-dir", "y"]);
        Assert.Equal(1, noKeys.Exit);
        Assert.Contains($"{Path.Combine(_folder.FullName, "none")}/node.key is not a file", noKeys.Error, StringComparison.Ordinal);
    }

    private async Task<YamlMappingNode> GenerateAsync()
    {
        var keys = Path.Combine(_folder.FullName, "keys");
        Assert.Equal(0, (await NodeSecret.RunAsync(keys)).Exit);
        var exportsFile = Path.Combine(_folder.FullName, "exports.json");
        await File.WriteAllTextAsync(exportsFile, "{}", TestContext.Current.CancellationToken);
        var (exit, output, error) = await Kustomize.RunAsync(Script,
            ["--keys", keys, "--exports-file", exportsFile, "--exports-dir", _folder.FullName, "--tag", DockerEngine.Tag]);
        Assert.True(exit == 0, $"swarm-stack.sh failed ({exit}): {error}");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(output));
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static Dictionary<string, string> Environment(YamlMappingNode services, string module) =>
        ((YamlSequenceNode)services[module]["environment"]).Select(n => n.ToString())
            .ToDictionary(line => line[..line.IndexOf('=')], line => line[(line.IndexOf('=') + 1)..]);

    private static IEnumerable<string> Volumes(YamlMappingNode services, string module) =>
        ((YamlSequenceNode)services[module]["volumes"]).Cast<YamlMappingNode>()
            .Where(v => v.Children.ContainsKey("source")).Select(v => v["source"].ToString());

    public void Dispose() => _folder.Delete(recursive: true);
}
