using Cheshire.GlobalNamespace;
using Cheshire.StyxProvider.Config;

namespace Cheshire.StyxProvider.Publishing;

/// <summary>One child to publish: <see cref="Name"/> under <see cref="DirectoryPath"/>, sealed to the owner or in the clear.</summary>
public sealed record WantedEntry(string DirectoryPath, string Name, EntryKind Kind, bool Encrypted)
{
    public string ChildPath => DirectoryPath == NamespacePath.Root ? "/" + Name : DirectoryPath + "/" + Name;
}

/// <summary>
/// What the servers of the exports file put into the global namespace: each server's <see cref="PublicationPlan"/>,
/// merged so that an ancestor shared by several servers is one entry. A path that is itself a server stays an export
/// even when it is the ancestor of another. An entry is sealed to the owner only when every server it leads to is
/// the owner's alone (no "allow"): an ancestor of a server others may attach must be readable by them.
/// </summary>
public static class WantedEntries
{
    public static IReadOnlyDictionary<string, WantedEntry> For(IEnumerable<ServerDefinition> servers)
    {
        var wanted = new Dictionary<string, WantedEntry>(StringComparer.Ordinal);
        foreach (var server in servers)
        {
            bool ownerOnly = server.Allow.Count == 0;
            foreach (var publication in PublicationPlan.For(server.Path))
            {
                var entry = new WantedEntry(publication.DirectoryPath, publication.Name, publication.Kind, ownerOnly);
                if (wanted.TryGetValue(entry.ChildPath, out var known))
                {
                    entry = entry with
                    {
                        Kind = known.Kind == EntryKind.Export || entry.Kind == EntryKind.Export ? EntryKind.Export : EntryKind.Directory,
                        Encrypted = known.Encrypted && entry.Encrypted,
                    };
                }
                wanted[entry.ChildPath] = entry;
            }
        }
        return wanted;
    }
}
