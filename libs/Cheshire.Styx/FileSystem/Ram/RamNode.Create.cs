using Cheshire.Styx.Messages;
using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>New names: create (every file type) and hard links.</summary>
public sealed partial class RamNode
{
    private const int MaxSymlinkBytes = 4095;

    public ValueTask<INode> CreateAsync(string name, CreateOptions options, CancellationToken cancellationToken)
    {
        var directory = AsDirectory();
        CheckName(name);
        uint type = options.FileType == 0 ? UnixMode.Regular : options.FileType;
        if (type is not (UnixMode.Regular or UnixMode.Directory or UnixMode.Symlink or UnixMode.CharDevice or
            UnixMode.BlockDevice or UnixMode.Fifo or UnixMode.Socket))
            throw new StyxErrorException(Errno.EINVAL, $"unknown file type {type:x}");
        if (type == UnixMode.Symlink)
        {
            if (string.IsNullOrEmpty(options.SymlinkTarget)) throw new StyxErrorException(Errno.ENOENT, "empty symlink target");
            if (System.Text.Encoding.UTF8.GetByteCount(options.SymlinkTarget) > MaxSymlinkBytes) throw new StyxErrorException(Errno.ENAMETOOLONG);
        }
        lock (Fs.TreeLock)
        {
            DemandNewName(directory, name);
            if (type is UnixMode.CharDevice or UnixMode.BlockDevice && !User.IsRoot)
                throw new StyxErrorException(Errno.EPERM, "only root makes device nodes");
            var now = Fs.Now();
            var (gid, permissions) = NewOwnership(directory, type, options);
            RamInode inode = type switch
            {
                UnixMode.Directory => new RamDirectory(Fs, type | permissions, User.Uid, gid, now),
                UnixMode.Regular => new RamFile(Fs, type | permissions, User.Uid, gid, now),
                UnixMode.Symlink => new RamSymlink(Fs, options.SymlinkTarget!, User.Uid, gid, now),
                UnixMode.CharDevice or UnixMode.BlockDevice =>
                    new RamSpecialFile(Fs, type | permissions, DeviceNumber.Make(options.DeviceMajor, options.DeviceMinor), User.Uid, gid, now),
                _ => new RamSpecialFile(Fs, type | permissions, 0, User.Uid, gid, now),
            };
            directory.Add(name, inode);
            directory.Modified(now, User.Name);
            Interlocked.Increment(ref Fs.FileCount);
            return ValueTask.FromResult<INode>(new RamNode(inode, User, directory, name, justCreated: true));
        }
    }

    public ValueTask LinkAsync(INode target, string name, CancellationToken cancellationToken)
    {
        var directory = AsDirectory();
        CheckName(name);
        if (target is not RamNode source || source.Fs != Fs) throw new StyxErrorException(Errno.EXDEV);
        lock (Fs.TreeLock)
        {
            DemandNewName(directory, name);
            var inode = source.Inode;
            if (inode is RamDirectory) throw new StyxErrorException(Errno.EPERM, "hard links to directories are not allowed");
            if (inode.Links.Count == 0) throw new StyxErrorException(Errno.ENOENT, "the file has no name left");
            var now = Fs.Now();
            directory.Add(name, inode);
            directory.Modified(now, User.Name);
            inode.ChangeTime = now;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Linux's order: search the directory (EACCES), the name is free (EEXIST), write to it (EACCES).</summary>
    private void DemandNewName(RamDirectory directory, string name)
    {
        if (!directory.IsLive) throw new StyxErrorException(Errno.ENOENT, "the directory was removed");
        RamPermissions.Demand(User, directory, RamPermissions.Execute);
        if (directory.TryGet(name, out _)) throw new StyxErrorException(Errno.EEXIST);
        RamPermissions.Demand(User, directory, RamPermissions.Write | RamPermissions.Execute);
    }

    /// <summary>
    /// Group and permission bits of a new entry (Linux inode_init_owner): the creator's gid, or the directory's in a
    /// setgid directory, where new directories are setgid too; a setgid executable the creator's group does not own loses setgid.
    /// </summary>
    private (uint Gid, uint Permissions) NewOwnership(RamDirectory directory, uint type, CreateOptions options)
    {
        uint permissions = options.Mode & UnixMode.PermissionMask;
        bool clientGid = (User.HasNumericId || User.IsRoot) && options.Gid != Tauth.NoUid;
        uint gid = clientGid ? options.Gid : User.Gid;
        if ((directory.Mode & RamInode.SetGid) == 0) return (gid, permissions);
        gid = directory.Gid;
        if (type == UnixMode.Directory) return (gid, permissions | RamInode.SetGid);
        const uint setgidExecutable = RamInode.SetGid | RamInode.GroupExecute;
        if ((permissions & setgidExecutable) == setgidExecutable && !RamPermissions.MayUseGroup(User, Fs, gid)) permissions &= ~RamInode.SetGid;
        return (gid, permissions);
    }
}
