using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>Opening: read/write/execute permission (not for the creator's first open), O_TRUNC.</summary>
public sealed partial class RamNode
{
    public ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken)
    {
        lock (Fs.TreeLock)
        {
            if (Inode is RamDirectory) throw new StyxErrorException(Errno.EISDIR);
            // open(O_CREAT) opens what it made whatever the mode says (a file created 0444 can still be written once).
            bool justCreated = Interlocked.Exchange(ref _justCreated, 0) == 1;
            if (!justCreated) RamPermissions.Demand(User, Inode, Wanted(options));
            switch (Inode)
            {
                case RamFile { IsReleased: true }:
                    throw new StyxErrorException(Errno.ENOENT, "the file was removed");
                case RamFile file:
                    if (options.Truncate)
                    {
                        file.Data.SetLength(0);
                        file.Modified(Fs.Now(), User.Name);
                        if (!User.IsRoot) file.DropPrivileges();
                    }
                    file.Opened();
                    return ValueTask.FromResult<IOpenFile>(new RamOpenFile(file, User, options));
                case RamSymlink when !justCreated:
                    throw new StyxErrorException(Errno.ELOOP, "a symlink is not opened (the client follows it)");
                default:
                    // Fifos, sockets and devices are the client's business; 9P2000.u creates them with an open.
                    return ValueTask.FromResult<IOpenFile>(new RamEmptyOpenFile());
            }
        }
    }

    private static uint Wanted(OpenOptions options) => options.Access switch
    {
        OpenAccess.Read => RamPermissions.Read,
        OpenAccess.Write => RamPermissions.Write,
        OpenAccess.ReadWrite => RamPermissions.Read | RamPermissions.Write,
        _ => RamPermissions.Execute,
    } | (options.Truncate ? RamPermissions.Write : 0);
}
