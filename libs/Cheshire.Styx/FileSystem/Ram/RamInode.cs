using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>One name of an inode: the directory holding it and the name there.</summary>
internal readonly record struct RamLink(RamDirectory Directory, string Name);

/// <summary>
/// A file, directory, symlink or special file of a <see cref="RamFileSystem"/>, independent of its names.
/// Every field is guarded by the tree lock (<see cref="RamFileSystem.TreeLock"/>).
/// </summary>
internal abstract class RamInode
{
    public const uint SetUid = 0x800, SetGid = 0x400, Sticky = 0x200, GroupExecute = 0x8;

    protected RamInode(RamFileSystem fs, uint mode, uint uid, uint gid, DateTimeOffset now)
    {
        Fs = fs;
        Path = fs.NewPath();
        Mode = mode;
        Uid = uid;
        Gid = gid;
        UserName = fs.Users.NameOf(uid);
        GroupName = fs.Users.NameOf(gid);
        ModifiedBy = UserName;
        AccessTime = ModifyTime = ChangeTime = now;
    }

    public RamFileSystem Fs { get; }
    public ulong Path { get; }
    public uint Mode { get; set; }
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    public string UserName { get; set; }
    public string GroupName { get; set; }
    public string ModifiedBy { get; set; }
    public DateTimeOffset AccessTime { get; set; }
    public DateTimeOffset ModifyTime { get; set; }
    public DateTimeOffset ChangeTime { get; set; }
    public uint Version { get; private set; }

    /// <summary>The names this inode has (a directory has at most one; the root none).</summary>
    public List<RamLink> Links { get; } = [];

    protected abstract QidType QidType { get; }
    public abstract ulong Size { get; }
    public virtual ulong LinkCount => (ulong)Links.Count;
    public virtual string SymlinkTarget => "";
    public virtual ulong Rdev => 0;

    public Qid Qid => new(QidType, Version, Path);

    /// <summary>Contents changed: new qid version, mtime and ctime.</summary>
    public void Modified(DateTimeOffset now, string? by = null)
    {
        Version++;
        ModifyTime = ChangeTime = now;
        if (by is not null) ModifiedBy = by;
    }

    /// <summary>What a write or truncate by someone without CAP_FSETID, or any chown, takes away (Linux should_remove_suid).</summary>
    public void DropPrivileges()
    {
        Mode &= ~SetUid;
        if ((Mode & GroupExecute) != 0) Mode &= ~SetGid;
    }

    /// <summary>Called (under the tree lock) when the last name is gone.</summary>
    public virtual void Unlinked()
    {
    }

    public NodeAttributes Attributes(string name) => new()
    {
        Qid = Qid, Name = name, Mode = Mode, Uid = Uid, Gid = Gid,
        UserName = UserName, GroupName = GroupName, ModifiedBy = ModifiedBy,
        LinkCount = LinkCount, Size = Size, AccessTime = AccessTime, ModifyTime = ModifyTime, ChangeTime = ChangeTime,
        SymlinkTarget = SymlinkTarget, Rdev = Rdev,
    };
}
