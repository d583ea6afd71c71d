namespace Cheshire.Modules;

/// <summary>The node's modules in dependency order, read from every services/*/module.json.</summary>
public sealed class ModuleGraph
{
    private ModuleGraph(IReadOnlyList<ModuleDescriptor> ordered) => Modules = ordered;

    /// <summary>Dependencies come before their dependents.</summary>
    public IReadOnlyList<ModuleDescriptor> Modules { get; }

    public ModuleDescriptor this[string name] =>
        Modules.FirstOrDefault(m => m.Name == name) ?? throw new KeyNotFoundException($"No module named '{name}'.");

    public static ModuleGraph Load(string servicesDirectory)
    {
        if (!System.IO.Directory.Exists(servicesDirectory))
            throw new DirectoryNotFoundException($"The services folder {servicesDirectory} does not exist.");
        var descriptors = System.IO.Directory
            .EnumerateFiles(servicesDirectory, ModuleDescriptor.FileName, SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") &&
                        !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(ModuleDescriptor.Load);
        return From(descriptors);
    }

    public static ModuleGraph From(IEnumerable<ModuleDescriptor> descriptors)
    {
        var byName = new Dictionary<string, ModuleDescriptor>();
        foreach (var d in descriptors)
        {
            if (d.Name == SupervisorAddress.ServiceName)
                throw new InvalidDataException($"A module may not be named '{d.Name}': modules find the supervisor under that name.");
            if (!byName.TryAdd(d.Name, d))
                throw new InvalidDataException($"Two modules are named '{d.Name}'.");
        }

        var ordered = new List<ModuleDescriptor>();
        var state = new Dictionary<string, bool>(); // false = visiting, true = done
        foreach (var name in byName.Keys.Order(StringComparer.Ordinal))
            Visit(name, []);
        foreach (var module in ordered)
            foreach (var used in module.Uses)
                if (!byName.ContainsKey(used))
                    throw new InvalidDataException($"Module '{module.Name}' uses '{used}', which has no module.json.");
        return new ModuleGraph(ordered);

        void Visit(string name, List<string> path)
        {
            if (state.TryGetValue(name, out var done))
            {
                if (!done)
                    throw new InvalidDataException($"Module dependencies form a cycle: {string.Join(" -> ", path.Append(name))}.");
                return;
            }
            state[name] = false;
            var module = byName[name];
            foreach (var dependency in module.DependsOn)
            {
                if (!byName.ContainsKey(dependency))
                    throw new InvalidDataException($"Module '{name}' depends on '{dependency}', which has no module.json.");
                Visit(dependency, [.. path, name]);
            }
            state[name] = true;
            ordered.Add(module);
        }
    }
}
