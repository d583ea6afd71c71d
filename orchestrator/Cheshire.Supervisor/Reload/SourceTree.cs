using Cheshire.Modules;

namespace Cheshire.Supervisor.Reload;

/// <summary>
/// Where a module's sources are: its project folder and those of the libs it references, in the source tree (the
/// checkout, or the tree Cheshire:SourceDir names), and which modules a changed file belongs to.
/// </summary>
public sealed class SourceTree
{
    private readonly ReloadSettings _settings;
    private readonly ModuleGraph _graph;
    private readonly Dictionary<string, IReadOnlyList<string>> _folders = [];

    public SourceTree(ReloadSettings settings, ModuleGraph graph)
    {
        _settings = settings;
        _graph = graph;
        foreach (var module in graph.Modules)
            _folders[module.Name] = [.. ProjectClosure.Of(ProjectOf(module)).Select(p => Path.GetDirectoryName(p)! + Path.DirectorySeparatorChar)];
    }

    public string Root => _settings.SourceDirectory;

    /// <summary>A path of the checkout the AppHost runs from, in the source tree.</summary>
    public string Map(string checkoutPath) =>
        Path.GetFullPath(Path.Combine(_settings.SourceDirectory, Path.GetRelativePath(_settings.CheckoutDirectory, checkoutPath)));

    public string ProjectOf(ModuleDescriptor module) => Map(module.ProjectPath);

    public string? TestProjectOf(ModuleDescriptor module) =>
        module.Tests is { } tests ? Map(Path.GetFullPath(Path.Combine(module.Directory, tests.Project))) : null;

    /// <summary>The folders watched for <paramref name="module"/>: its project's and every referenced project's.</summary>
    public IReadOnlyList<string> FoldersOf(string module) => _folders[module];

    public IEnumerable<string> AllFolders => _folders.Values.SelectMany(f => f).Distinct();

    /// <summary>Whether a changed path is a source: not build output (bin/, obj/), not hidden, not an editor's temporary.</summary>
    public static bool IsSource(string path)
    {
        var parts = path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "bin" or "obj" || p.StartsWith('.')))
            return false;
        var name = parts.LastOrDefault() ?? "";
        return !(name.EndsWith('~') || name.EndsWith(".swp", StringComparison.Ordinal) || name.EndsWith(".tmp", StringComparison.Ordinal));
    }

    public bool Uses(string module, string path) => _folders[module].Any(f => path.StartsWith(f, StringComparison.Ordinal));

    /// <summary>
    /// The modules that use any of the changed files, in dependency order (dependencies first), each with the files it
    /// uses relative to the source tree: a change to a lib reloads its users in this order.
    /// </summary>
    public IReadOnlyList<(ModuleDescriptor Module, IReadOnlyList<string> Files)> Affected(IEnumerable<string> changed)
    {
        var paths = changed.ToList();
        return [.. _graph.Modules
            .Select(m => (Module: m, Files: (IReadOnlyList<string>)[.. paths.Where(p => Uses(m.Name, p)).Select(p => Path.GetRelativePath(Root, p))]))
            .Where(a => a.Files.Count > 0)];
    }
}
