using Cheshire.GlobalNamespace;

namespace Cheshire.StyxClient.Imports;

/// <summary>
/// Resolves a path of the global namespace: from "/" down, each component is looked up in its parent's listing
/// (<see cref="DirectoryListings"/>: one DHT get per directory, verified and cached). Stops at the first export (a
/// tree to mount; the rest of the path is inside it), at a component nobody publishes (not found), or at the end of the
/// path (a directory, listed).
/// </summary>
public sealed class Resolver(DirectoryListings listings)
{
    /// <exception cref="ArgumentException">The path is not absolute or has a bad component.</exception>
    public async Task<Resolution> ResolveAsync(string path, CancellationToken ct)
    {
        var labels = ImportPath.Parse(path);
        var normalized = ImportPath.Join(labels);
        var names = new List<string>();
        ListedEntry? entry = null;
        for (var i = 0; i < labels.Length; i++)
        {
            var directory = ImportPath.Join(names);
            entry = await listings.FindAsync(directory, labels[i], ct);
            if (entry is null)
                return Resolution.NotFound(normalized, ImportPath.Join(labels[..(i + 1)]));
            names.Add(entry.Entry.Name);
            if (entry.Entry.Kind == EntryKind.Export)
                return new Resolution
                {
                    Path = normalized,
                    MountPath = ImportPath.Join(labels[..(i + 1)]),
                    NamesPath = ImportPath.Join(names),
                    Entry = entry,
                };
        }
        var namesPath = ImportPath.Join(names);
        return new Resolution
        {
            Path = normalized,
            MountPath = normalized,
            NamesPath = namesPath,
            Entry = entry,
            Children = (await listings.ListAsync(namesPath, ct)).Entries,
        };
    }

    /// <summary>Forgets the cached listings along <paramref name="path"/>, so its next resolution asks the DHT.</summary>
    public void Forget(Resolution resolution)
    {
        var names = ImportPath.Parse(resolution.NamesPath);
        for (var i = 0; i <= names.Length; i++)
            listings.Forget(ImportPath.Join(names[..i]));
    }
}
