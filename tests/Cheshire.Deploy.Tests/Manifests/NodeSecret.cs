using k8s;
using k8s.Models;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>The node Secret as deploy/node-secret.sh prints it for a fresh key folder.</summary>
public static class NodeSecret
{
    public static string Script { get; } = Path.Combine(Kustomize.DeployDirectory, "node-secret.sh");

    public static async Task<V1Secret> CreateAsync(params string[] options)
    {
        var folder = Directory.CreateTempSubdirectory("cheshire-node-secret-");
        try
        {
            var (exit, output, error) = await RunAsync(Path.Combine(folder.FullName, "keys"), options);
            Assert.True(exit == 0, $"node-secret.sh failed ({exit}): {error}");
            return KubernetesYaml.LoadAllFromString(output, strict: true).Cast<V1Secret>().Single();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    public static Task<(int Exit, string Output, string Error)> RunAsync(string keyFolder, params string[] options) =>
        Kustomize.RunAsync(Script, [keyFolder, .. options]);
}
