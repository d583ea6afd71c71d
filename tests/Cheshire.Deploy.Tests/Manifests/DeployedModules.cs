using Cheshire.Modules;
using Cheshire.Testing;

namespace Cheshire.Deploy.Tests.Manifests;

/// <summary>The modules the images are built for (deploy/image/modules.txt) and their module.json.</summary>
public static class DeployedModules
{
    public static IReadOnlyList<ModuleDescriptor> All { get; } = Load();

    public static ModuleDescriptor Named(string name) => All.Single(m => m.Name == name);

    private static List<ModuleDescriptor> Load() =>
        File.ReadLines(Path.Combine(Kustomize.DeployDirectory, "image", "modules.txt"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(fields => ModuleDescriptor.Load(Path.Combine(ModuleProcess.RepositoryRoot, fields[1], ModuleDescriptor.FileName)))
            .ToList();
}
