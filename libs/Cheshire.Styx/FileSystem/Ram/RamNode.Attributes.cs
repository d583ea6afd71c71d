using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>chmod, chown, truncate and utimes with Linux's rules (setattr_prepare, chown_common, do_truncate).</summary>
public sealed partial class RamNode
{
    public ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock)
        {
            var inode = Inode;
            uint? uid = changes.Uid;
            uint? gid = changes.Gid ?? (changes.GroupName is { } group ? Fs.Users.IdOf(group) : null);
            uint? permissions = CheckOwnership(inode, uid, gid, changes);
            CheckSizeAndTimes(inode, changes);

            var now = Fs.Now();
            if (changes.Size is { } size && inode is RamFile file && file.Data.SetLength((long)Math.Min(size, long.MaxValue)))
            {
                inode.Modified(now, User.Name);
                if (!User.IsRoot) inode.DropPrivileges();
            }
            if (uid is not null || gid is not null)
            {
                if (inode is not RamDirectory) inode.DropPrivileges();
                if (uid is { } newUid) (inode.Uid, inode.UserName) = (newUid, Fs.Users.NameOf(newUid));
                if (gid is { } newGid) (inode.Gid, inode.GroupName) = (newGid, changes.GroupName ?? Fs.Users.NameOf(newGid));
            }
            else if (changes.GroupName is { } name)
            {
                inode.GroupName = name;
            }
            if (permissions is { } bits) inode.Mode = (inode.Mode & UnixMode.TypeMask) | bits;
            if (changes.AccessTime is { } atime) inode.AccessTime = changes.TimesAreNow ? now : atime;
            if (changes.ModifyTime is { } mtime) inode.ModifyTime = changes.TimesAreNow ? now : mtime;
            inode.ChangeTime = now;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Only root gives a file away; the owner may set the group to its own or the file's; only the owner (or root)
    /// changes the mode, and a non-root caller outside the file's group cannot set setgid. Returns the permission bits to set.
    /// </summary>
    private uint? CheckOwnership(RamInode inode, uint? uid, uint? gid, AttributeChanges changes)
    {
        bool isOwner = User.Uid == inode.Uid;
        if (uid is { } u && !User.IsRoot && !(isOwner && u == inode.Uid))
            throw new StyxErrorException(Errno.EPERM, "only root may change the owner");
        if (gid is { } g && !User.IsRoot && !(isOwner && (g == inode.Gid || RamPermissions.MayUseGroup(User, Fs, g))))
            throw new StyxErrorException(Errno.EPERM, "only the owner may change the group, to one it belongs to");
        if (changes.GroupName is not null && gid is null && !RamPermissions.Owns(User, inode)) throw new StyxErrorException(Errno.EPERM);
        if (changes.Permissions is not { } permissions) return null;
        if (!RamPermissions.Owns(User, inode)) throw new StyxErrorException(Errno.EPERM, "only the owner may change the mode");
        permissions &= UnixMode.PermissionMask;
        if (inode is RamSymlink && permissions != (inode.Mode & UnixMode.PermissionMask))
            throw new StyxErrorException(Errno.EOPNOTSUPP, "symlinks have no mode of their own");
        if (!RamPermissions.MayUseGroup(User, Fs, gid ?? inode.Gid)) permissions &= ~RamInode.SetGid;
        return permissions;
    }

    /// <summary>Truncate needs write permission (or a handle open for writing); explicit times need the owner, "now" a writer.</summary>
    private void CheckSizeAndTimes(RamInode inode, AttributeChanges changes)
    {
        bool mayWrite = changes.ThroughWritableHandle || RamPermissions.Allows(User, inode, RamPermissions.Write);
        if (changes.Size is not null)
        {
            if (inode is RamDirectory) throw new StyxErrorException(Errno.EISDIR);
            if (inode is not RamFile) throw new StyxErrorException(Errno.EINVAL);
            if (!mayWrite) throw new StyxErrorException(Errno.EACCES);
        }
        if ((changes.AccessTime is null && changes.ModifyTime is null) || RamPermissions.Owns(User, inode)) return;
        if (!changes.TimesAreNow) throw new StyxErrorException(Errno.EPERM, "only the owner may set explicit times");
        if (!mayWrite) throw new StyxErrorException(Errno.EACCES);
    }
}
