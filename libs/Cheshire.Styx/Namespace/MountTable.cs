using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Cheshire.Styx.Namespaces;

/// <summary>
/// An immutable snapshot of the mount table. Each entry lists the layers at one path in order; a null layer
/// stands for what the path showed before the first union mount there (Plan 9 keeps the old directory as a
/// layer when binding with MBEFORE or MAFTER). Walkers read a snapshot; mounts swap in a new one.
/// </summary>
internal sealed class MountTable
{
    public static MountTable Empty { get; } = new(ImmutableDictionary<string, ImmutableArray<Mount?>>.Empty);

    private readonly FrozenDictionary<string, FrozenSet<string>> _children;

    public MountTable(ImmutableDictionary<string, ImmutableArray<Mount?>> entries)
    {
        Entries = entries;
        var children = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var path in entries.Keys)
        {
            foreach (var (directory, child) in NamespacePath.Ancestors(path))
            {
                if (!children.TryGetValue(directory, out var names)) children[directory] = names = new(StringComparer.Ordinal);
                names.Add(child);
            }
        }
        _children = children.ToFrozenDictionary(p => p.Key, p => p.Value.ToFrozenSet(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public ImmutableDictionary<string, ImmutableArray<Mount?>> Entries { get; }

    public ImmutableArray<Mount?>? LayersAt(string path) => Entries.TryGetValue(path, out var layers) ? layers : null;

    /// <summary>Names under <paramref name="directory"/> that are mount points or lead to deeper mount points.</summary>
    public IReadOnlySet<string> ChildrenOf(string directory) =>
        _children.TryGetValue(directory, out var names) ? names : FrozenSet<string>.Empty;

    public bool HasMountsBelow(string path) => _children.ContainsKey(path);

    public MountTable With(string path, Mount mount)
    {
        var flags = mount.Info.Flags;
        var existing = LayersAt(path);
        ImmutableArray<Mount?> layers;
        if ((flags & MountFlags.Before) != 0)
            layers = existing is { } before ? before.Insert(0, mount) : [mount, null];
        else if ((flags & MountFlags.After) != 0)
            layers = existing is { } after ? after.Add(mount) : [null, mount];
        else
            layers = [mount];
        return new MountTable(Entries.SetItem(path, layers));
    }

    /// <summary>The table without the mounts matching <paramref name="remove"/>; an entry left with only the old directory goes away.</summary>
    public MountTable Without(Func<Mount, bool> remove, out IReadOnlyList<Mount> removed)
    {
        var gone = new List<Mount>();
        var builder = Entries.ToBuilder();
        foreach (var (path, layers) in Entries)
        {
            var kept = layers.RemoveAll(m => m is not null && remove(m));
            if (kept.Length == layers.Length) continue;
            gone.AddRange(layers.Where(m => m is not null && remove(m))!);
            if (kept.All(m => m is null)) builder.Remove(path);
            else builder[path] = kept;
        }
        removed = gone;
        return gone.Count == 0 ? this : new MountTable(builder.ToImmutable());
    }

    public IEnumerable<Mount> AllMounts => Entries.Values.SelectMany(l => l).OfType<Mount>();
}
