using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>Linux's permission rules (generic_permission, may_delete, inode_owner_or_capable) for one user.</summary>
internal static class RamPermissions
{
    public const uint Read = 4, Write = 2, Execute = 1;

    /// <summary>Owner, group or other bits by who asks; root may do anything except execute a file with no x bit.</summary>
    public static bool Allows(RamUser user, RamInode node, uint want)
    {
        uint mode = node.Mode;
        if (user.IsRoot) return (want & Execute) == 0 || node is RamDirectory || (mode & 0x49) != 0;
        uint granted = user.Uid == node.Uid ? (mode >> 6) & 7 : InGroup(user, node.Fs, node.Gid) switch
        {
            true => (mode >> 3) & 7,
            false => mode & 7,
            null => ((mode >> 3) | mode) & 7,
        };
        return (granted & want) == want;
    }

    /// <summary>Is the user in the group: yes for its primary gid, else no, or unknown (null) when the client vouches for groups.</summary>
    public static bool? InGroup(RamUser user, RamFileSystem fs, uint gid) =>
        user.InGroup(gid) ? true : fs.Groups == RamGroupMembership.ClaimedByClient ? null : false;

    /// <summary>May the user give a file this group, or keep setgid for it (root, or possibly a member).</summary>
    public static bool MayUseGroup(RamUser user, RamFileSystem fs, uint gid) => user.IsRoot || InGroup(user, fs, gid) != false;

    public static void Demand(RamUser user, RamInode node, uint want)
    {
        if (!Allows(user, node, want)) throw new StyxErrorException(Errno.EACCES);
    }

    public static bool Owns(RamUser user, RamInode node) => user.IsRoot || user.Uid == node.Uid;

    /// <summary>
    /// May <paramref name="user"/> take <paramref name="victim"/> out of <paramref name="directory"/> (unlink, rmdir,
    /// rename away or over it): write and search on the directory, and in a sticky directory own the file or the directory.
    /// </summary>
    public static void DemandDelete(RamUser user, RamDirectory directory, RamInode victim)
    {
        Demand(user, directory, Write | Execute);
        if ((directory.Mode & RamInode.Sticky) != 0 && !user.IsRoot && user.Uid != victim.Uid && user.Uid != directory.Uid)
            throw new StyxErrorException(Errno.EPERM, "sticky directory: not the owner");
    }
}
