using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>What files and directories of a <see cref="RamFileSystem"/> share: name, parent, owner, times.</summary>
public abstract class RamNode : INode
{
    private protected readonly object Sync = new();
    private uint _version;

    private protected RamNode(RamFileSystem fs, string name, uint mode, uint uid, uint gid, string user)
    {
        Fs = fs;
        Name = name;
        Mode = mode;
        Uid = uid;
        Gid = gid;
        UserName = user;
        GroupName = user;
        ModifiedBy = user;
        Path = fs.NewPath();
        AccessTime = ModifyTime = ChangeTime = DateTimeOffset.UtcNow;
    }

    public RamFileSystem Fs { get; }
    public string Name { get; internal set; }
    public RamDirectory? Parent { get; internal set; }
    public ulong Path { get; }
    internal uint Mode { get; set; }
    internal uint Uid { get; set; }
    internal uint Gid { get; set; }
    internal string UserName { get; set; }
    internal string GroupName { get; set; }
    internal string ModifiedBy { get; set; }
    internal DateTimeOffset AccessTime { get; set; }
    internal DateTimeOffset ModifyTime { get; set; }
    internal DateTimeOffset ChangeTime { get; set; }

    protected abstract QidType QidType { get; }

    public Qid Qid => new(QidType, Volatile.Read(ref _version), Path);

    internal void Touch(string? by = null)
    {
        Interlocked.Increment(ref _version);
        ModifyTime = ChangeTime = DateTimeOffset.UtcNow;
        if (by is not null) ModifiedBy = by;
    }

    protected abstract ulong Size { get; }
    protected virtual ulong LinkCount => 1;

    public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken)
    {
        lock (Sync)
        {
            return ValueTask.FromResult(new NodeAttributes
            {
                Qid = Qid, Name = Name, Mode = Mode, Uid = Uid, Gid = Gid,
                UserName = UserName, GroupName = GroupName, ModifiedBy = ModifiedBy,
                LinkCount = LinkCount, Size = Size,
                AccessTime = AccessTime, ModifyTime = ModifyTime, ChangeTime = ChangeTime,
            });
        }
    }

    public virtual ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        lock (Sync)
        {
            if (changes.Permissions is { } permissions) Mode = (Mode & UnixMode.TypeMask) | (permissions & UnixMode.PermissionMask);
            if (changes.Uid is { } uid) Uid = uid;
            if (changes.Gid is { } gid) Gid = gid;
            if (changes.GroupName is { } group) GroupName = group;
            if (changes.AccessTime is { } atime) AccessTime = atime;
            if (changes.ModifyTime is { } mtime) ModifyTime = mtime;
            ChangeTime = DateTimeOffset.UtcNow;
        }
        return ValueTask.CompletedTask;
    }

    public abstract ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken);

    public ValueTask RemoveAsync(CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock)
        {
            var parent = Parent ?? throw new StyxErrorException(Parent is null && this == Fs.Root ? Errno.EBUSY : Errno.ENOENT);
            if (this is RamDirectory { HasChildren: true }) throw new StyxErrorException(Errno.ENOTEMPTY);
            parent.Detach(this);
        }
        Released();
        return ValueTask.CompletedTask;
    }

    public ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        RamDirectory.CheckName(newName);
        lock (Fs.TreeLock)
        {
            var from = Parent ?? throw new StyxErrorException(this == Fs.Root ? Errno.EBUSY : Errno.ENOENT);
            var to = newParent switch
            {
                null => from,
                RamDirectory d when d.Fs == Fs => d,
                RamNode => throw new StyxErrorException(Errno.ENOTDIR),
                _ => throw new StyxErrorException(Errno.EXDEV),
            };
            if (to.Parent is null && to != Fs.Root) throw new StyxErrorException(Errno.ENOENT);
            for (var ancestor = to; ancestor is not null; ancestor = ancestor.Parent)
            {
                if (ancestor == this) throw new StyxErrorException(Errno.EINVAL, "cannot move a directory into itself");
            }
            if (to.TryGetChild(newName, out var existing))
            {
                if (existing == this) return ValueTask.CompletedTask;
                ReplaceCheck(existing);
                to.Detach(existing);
                existing.Released();
            }
            from.Detach(this);
            Name = newName;
            to.AttachChild(this);
            ChangeTime = DateTimeOffset.UtcNow;
        }
        return ValueTask.CompletedTask;
    }

    private void ReplaceCheck(RamNode existing)
    {
        bool sourceIsDirectory = this is RamDirectory;
        if (existing is RamDirectory target)
        {
            if (!sourceIsDirectory) throw new StyxErrorException(Errno.EISDIR);
            if (target.HasChildren) throw new StyxErrorException(Errno.ENOTEMPTY);
        }
        else if (sourceIsDirectory)
        {
            throw new StyxErrorException(Errno.ENOTDIR);
        }
    }

    /// <summary>Called once the node is no longer in the tree.</summary>
    private protected virtual void Released()
    {
    }

    public ValueTask<FileSystemStatistics> GetFileSystemStatisticsAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(Fs.Statistics());
}
