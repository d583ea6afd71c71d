namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// Which groups a user of a <see cref="RamFileSystem"/> is in. 9P carries only the uid (and, on .L creates, the
/// acting gid), never the supplementary groups, and the tree has no group database.
/// </summary>
public enum RamGroupMembership
{
    /// <summary>
    /// The client vouches for memberships, as the Linux kernel does (it checks group rules itself before asking):
    /// the owner may give a file to any group, and a non-owner gets the group bits or the other bits, whichever allow.
    /// A user is certainly in its primary group. Never refuses what Linux would allow; any 9P client could claim uid 0 anyway.
    /// </summary>
    ClaimedByClient,

    /// <summary>A user is only in its primary group (gid = uid; 0 for root): strict, but wrong for supplementary groups.</summary>
    PrimaryGroupOnly,
}
