namespace Cheshire.GlobalNamespace;

/// <summary>
/// What to publish for an export so that every component of its path can be walked and listed from "/": the export
/// as an <see cref="EntryKind.Export"/> child of its parent, then each ancestor as a <see cref="EntryKind.Directory"/>
/// child of its own parent, up to "/". For "/a/b/c": ("/a/b", "c", Export), ("/a", "b", Directory), ("/", "a", Directory).
/// </summary>
public static class PublicationPlan
{
    /// <exception cref="ArgumentException">The path is not a valid namespace path, or is "/" (the root is nobody's export).</exception>
    public static IReadOnlyList<Publication> For(string exportPath)
    {
        var components = NamespacePath.Components(exportPath);
        if (components.Length == 0)
            throw new ArgumentException("'/' cannot be exported into the global namespace: an export is a child of a directory, e.g. /alice/music.", nameof(exportPath));
        var plan = new List<Publication>(components.Length);
        for (int depth = components.Length; depth >= 1; depth--)
        {
            var parent = NamespacePath.Root + string.Join('/', components[..(depth - 1)]);
            plan.Add(new Publication(parent, components[depth - 1], depth == components.Length ? EntryKind.Export : EntryKind.Directory));
        }
        return plan;
    }
}
