using System.Diagnostics.CodeAnalysis;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>A directory: names to inodes. Guarded by the tree lock.</summary>
internal sealed class RamDirectory(RamFileSystem fs, uint mode, uint uid, uint gid, DateTimeOffset now, bool isRoot = false)
    : RamInode(fs, mode, uid, gid, now)
{
    private readonly Dictionary<string, RamInode> _entries = new(StringComparer.Ordinal);
    private int _subdirectories;

    public bool IsRoot { get; } = isRoot;

    /// <summary>Still in the tree (a removed directory keeps working for fids inside it, but takes no new entries).</summary>
    public bool IsLive => IsRoot || Links.Count > 0;

    public RamDirectory? Parent => Links.Count > 0 ? Links[0].Directory : null;
    public int Count => _entries.Count;

    protected override QidType QidType => QidType.Directory;
    public override ulong Size => 0;
    public override ulong LinkCount => IsLive ? 2 + (ulong)_subdirectories : 0;

    public bool TryGet(string name, [MaybeNullWhen(false)] out RamInode inode) => _entries.TryGetValue(name, out inode);

    public IEnumerable<KeyValuePair<string, RamInode>> Entries => _entries;

    public void Add(string name, RamInode inode)
    {
        _entries.Add(name, inode);
        inode.Links.Add(new RamLink(this, name));
        if (inode is RamDirectory) _subdirectories++;
    }

    /// <summary>Removes a name; true if that was the inode's last one.</summary>
    public bool Remove(string name)
    {
        if (!_entries.Remove(name, out var inode)) return false;
        inode.Links.Remove(new RamLink(this, name));
        if (inode is RamDirectory) _subdirectories--;
        return inode.Links.Count == 0;
    }

    /// <summary>Whether <paramref name="ancestor"/> is this directory or one above it.</summary>
    public bool IsWithin(RamDirectory ancestor)
    {
        for (RamDirectory? d = this; d is not null; d = d.Parent)
        {
            if (d == ancestor) return true;
        }
        return false;
    }
}
