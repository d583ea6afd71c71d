using Cheshire.GlobalNamespace;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// A path as a user walks it: like <see cref="NamespacePath"/>, but a component may be a label another owner's entry
/// is listed by (name@uid8 or name@uid40). ArgumentException saying what is wrong otherwise.
/// </summary>
public static class ImportPath
{
    /// <summary>The components (labels) of <paramref name="path"/>; "/" has none.</summary>
    public static string[] Parse(string? path)
    {
        if (string.IsNullOrEmpty(path))
            throw new ArgumentException("A path is required, e.g. /alice/music.");
        if (!path.StartsWith('/'))
            throw new ArgumentException($"A namespace path is absolute: it starts with '/'; '{path}' does not.");
        var components = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var component in components)
        {
            if (component is "." or "..")
                throw new ArgumentException($"'{path}': '{component}' is not allowed in a namespace path (paths are taken literally, not resolved).");
            var name = EntrySelection.LooksLikeLabel(component) ? component[..component.LastIndexOf('@')] : component;
            if (NamespacePath.NameProblem(name) is { } problem)
                throw new ArgumentException($"'{path}': {problem}");
        }
        return components;
    }

    public static string Join(IEnumerable<string> components) => NamespacePath.Root + string.Join('/', components);
}
