using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>Taking names away: remove (unlink, rmdir) and rename, with Linux's checks in Linux's order.</summary>
public sealed partial class RamNode
{
    public ValueTask RemoveAsync(CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock)
        {
            if (Inode is RamDirectory { IsRoot: true }) throw new StyxErrorException(Errno.EBUSY);
            var link = CurrentLink() ?? throw new StyxErrorException(Errno.ENOENT);
            RamPermissions.DemandDelete(User, link.Directory, Inode);
            if (Inode is RamDirectory { Count: > 0 }) throw new StyxErrorException(Errno.ENOTEMPTY);
            var now = Fs.Now();
            Unlink(link, now);
            link.Directory.Modified(now, User.Name);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask RenameAsync(INode? newParent, string newName, CancellationToken cancellationToken)
    {
        CheckName(newName);
        lock (Fs.TreeLock)
        {
            if (Inode is RamDirectory { IsRoot: true }) throw new StyxErrorException(Errno.EBUSY);
            var link = CurrentLink() ?? throw new StyxErrorException(Errno.ENOENT);
            var from = link.Directory;
            var to = newParent switch
            {
                null => from,
                RamNode { Inode: RamDirectory d } node when node.Fs == Fs => d,
                RamNode node when node.Fs == Fs => throw new StyxErrorException(Errno.ENOTDIR),
                _ => throw new StyxErrorException(Errno.EXDEV),
            };
            if (!to.IsLive) throw new StyxErrorException(Errno.ENOENT, "the target directory was removed");
            RamPermissions.Demand(User, to, RamPermissions.Execute);
            to.TryGet(newName, out var existing);
            if (existing == Inode) return ValueTask.CompletedTask; // both names are links to one file: POSIX does nothing
            if (Inode is RamDirectory moved && to.IsWithin(moved))
                throw new StyxErrorException(Errno.EINVAL, "cannot move a directory into itself");
            RamPermissions.DemandDelete(User, from, Inode);
            if (existing is null) RamPermissions.Demand(User, to, RamPermissions.Write | RamPermissions.Execute);
            else DemandReplace(to, existing);
            if (Inode is RamDirectory && to != from && !User.IsRoot) RamPermissions.Demand(User, Inode, RamPermissions.Write);

            var now = Fs.Now();
            if (existing is not null) Unlink(new RamLink(to, newName), now);
            from.Remove(link.Name);
            to.Add(newName, Inode);
            from.Modified(now, User.Name);
            to.Modified(now, User.Name);
            Inode.ChangeTime = now;
            (_directory, _name) = (to, newName);
        }
        return ValueTask.CompletedTask;
    }

    private void DemandReplace(RamDirectory to, RamInode existing)
    {
        RamPermissions.DemandDelete(User, to, existing);
        bool sourceIsDirectory = Inode is RamDirectory;
        if (existing is RamDirectory target)
        {
            if (!sourceIsDirectory) throw new StyxErrorException(Errno.EISDIR);
            if (target.Count > 0) throw new StyxErrorException(Errno.ENOTEMPTY);
        }
        else if (sourceIsDirectory)
        {
            throw new StyxErrorException(Errno.ENOTDIR);
        }
    }

    /// <summary>Takes one name away (caller holds the tree lock); the inode goes when its last name and handle do.</summary>
    private void Unlink(RamLink link, DateTimeOffset now)
    {
        if (!link.Directory.TryGet(link.Name, out var inode)) return;
        bool last = link.Directory.Remove(link.Name);
        inode.ChangeTime = now;
        if (!last) return;
        Interlocked.Decrement(ref Fs.FileCount);
        inode.Unlinked();
    }
}
