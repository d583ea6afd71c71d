namespace Cheshire.GlobalNamespace;

/// <summary>
/// From the verified entries of one directory, the listing a viewer sees:
/// <list type="number">
/// <item>Per publishing node, owner and name (one DHT value id) the highest seq wins, as the DHT itself would keep
/// it: a replayed older value loses. A winner that is <see cref="EntryKind.Withdrawn"/> hides that publisher's child.</item>
/// <item>Per owner and name (a user's several nodes): an export wins over a directory entry (the directory's children
/// are listed under its own key either way), then the higher seq, then the later expiry, then the lower node id.</item>
/// <item>A name published by one owner is listed as it is. When several owners publish it, the viewer's own entry keeps
/// the plain name and each other owner's becomes <c>name@</c> and the first 8 hex digits of its uid, or all 40 when two
/// of them share those 8. Published names never end like such a label (<see cref="NamespacePath.NameProblem"/>), so a
/// label cannot be claimed by another entry.</item>
/// </list>
/// The listing is ordered by label (ordinal).
/// </summary>
public static class EntrySelection
{
    public const int ShortUidLength = 8;

    public static IReadOnlyList<ListedEntry> Select(IEnumerable<NamespaceEntry> entries, string? viewerUid)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var viewer = viewerUid?.ToLowerInvariant();
        var perPublisher = entries
            .GroupBy(e => (e.OwnerUid, e.NodeId, e.Name))
            .Select(g => g.OrderByDescending(e => e.Seq).ThenByDescending(e => e.Expiry).ThenBy(e => e.Kind).First())
            .Where(e => e.Kind != EntryKind.Withdrawn);
        var perOwner = perPublisher
            .GroupBy(e => (e.OwnerUid, e.Name))
            .Select(g => g.OrderBy(e => e.Kind == EntryKind.Export ? 0 : 1)
                .ThenByDescending(e => e.Seq).ThenByDescending(e => e.Expiry).ThenBy(e => e.NodeId).First());
        var listing = new List<ListedEntry>();
        foreach (var sameName in perOwner.GroupBy(e => e.Name))
        {
            var owners = sameName.ToList();
            if (owners.Count == 1)
            {
                listing.Add(new ListedEntry(owners[0].Name, owners[0]));
                continue;
            }
            var others = owners.Where(e => e.OwnerUid != viewer).ToList();
            var shortCollisions = others.GroupBy(e => e.OwnerUid[..ShortUidLength]).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
            foreach (var entry in owners)
            {
                var label = entry.OwnerUid == viewer ? entry.Name
                    : shortCollisions.Contains(entry.OwnerUid[..ShortUidLength]) ? $"{entry.Name}@{entry.OwnerUid}"
                    : $"{entry.Name}@{entry.OwnerUid[..ShortUidLength]}";
                listing.Add(new ListedEntry(label, entry));
            }
        }
        listing.Sort((a, b) => string.CompareOrdinal(a.Label, b.Label));
        return listing;
    }

    /// <summary>The entry listed as <paramref name="label"/>, or null.</summary>
    public static ListedEntry? Find(IReadOnlyList<ListedEntry> listing, string label) =>
        listing.FirstOrDefault(e => string.Equals(e.Label, label, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="name"/> ends with '@' and 8 or 40 hex digits, the form of a disambiguated label.</summary>
    public static bool LooksLikeLabel(string name)
    {
        var at = name.LastIndexOf('@');
        if (at < 0) return false;
        var suffix = name.AsSpan(at + 1);
        return suffix.Length is ShortUidLength or 40 && suffix.ContainsAnyExcept("0123456789abcdefABCDEF") is false;
    }
}
