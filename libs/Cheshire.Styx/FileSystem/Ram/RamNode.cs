using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// A node of a <see cref="RamFileSystem"/> as one user reached it: the inode, the user acting (checked on every
/// operation), and the name it was reached by, so remove and rename act on that name when the inode has several.
/// Made afresh on every lookup; compare nodes by <see cref="Qid"/>, not by reference.
/// </summary>
public sealed partial class RamNode : INode
{
    private RamDirectory? _directory;
    private string _name;
    private int _justCreated;

    internal RamNode(RamInode inode, RamUser user, RamDirectory? directory, string name, bool justCreated = false)
    {
        Inode = inode;
        User = user;
        _directory = directory;
        _name = name;
        _justCreated = justCreated ? 1 : 0;
    }

    /// <summary>Who acts through this node.</summary>
    public RamUser User { get; }

    internal RamInode Inode { get; }
    private RamFileSystem Fs => Inode.Fs;

    public Qid Qid
    {
        get
        {
            lock (Fs.TreeLock) return Inode.Qid;
        }
    }

    public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock) return ValueTask.FromResult(Inode.Attributes(CurrentLink()?.Name ?? _name));
    }

    public ValueTask<INode> LookupAsync(string name, CancellationToken cancellationToken)
    {
        var directory = AsDirectory();
        lock (Fs.TreeLock)
        {
            RamPermissions.Demand(User, directory, RamPermissions.Execute);
            if (!directory.TryGet(name, out var child)) throw new StyxErrorException(Errno.ENOENT);
            return ValueTask.FromResult<INode>(new RamNode(child, User, directory, name));
        }
    }

    public ValueTask<IReadOnlyList<DirectoryEntry>> ListAsync(CancellationToken cancellationToken)
    {
        var directory = AsDirectory();
        lock (Fs.TreeLock)
        {
            RamPermissions.Demand(User, directory, RamPermissions.Read);
            var entries = directory.Entries.Select(e => new DirectoryEntry(e.Key, new RamNode(e.Value, User, directory, e.Key))).ToArray();
            return ValueTask.FromResult<IReadOnlyList<DirectoryEntry>>(entries);
        }
    }

    public ValueTask<string> ReadLinkAsync(CancellationToken cancellationToken) =>
        Inode is RamSymlink symlink ? ValueTask.FromResult(symlink.Target) : throw new StyxErrorException(Errno.EINVAL);

    public ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(Fs.Statistics());

    public override string ToString() => $"{_name} ({Inode.Qid}, uid {User.Uid})";

    private RamDirectory AsDirectory() => Inode as RamDirectory ?? throw new StyxErrorException(Errno.ENOTDIR);

    /// <summary>
    /// The name this node stands for (caller holds the tree lock): the one it was reached by while that still names
    /// the inode, else the inode's only name; null if neither (the name is gone and the inode has none or several).
    /// </summary>
    private RamLink? CurrentLink()
    {
        if (_directory is { } directory && directory.TryGet(_name, out var entry) && entry == Inode) return new RamLink(directory, _name);
        if (Inode.Links.Count != 1) return null;
        var link = Inode.Links[0];
        (_directory, _name) = (link.Directory, link.Name);
        return link;
    }

    internal static void CheckName(string name)
    {
        if (name.Length == 0 || name == "." || name == ".." || name.Contains('/') || name.Contains('\0'))
            throw new StyxErrorException(Errno.EINVAL, $"invalid file name '{name}'");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255) throw new StyxErrorException(Errno.ENAMETOOLONG);
    }
}
