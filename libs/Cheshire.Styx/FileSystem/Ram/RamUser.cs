namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>
/// Who acts through a view of a <see cref="RamFileSystem"/>: the attaching user. Its primary gid is the uid (user
/// private groups; 0 for root); other memberships follow the tree's <see cref="RamGroupMembership"/>.
/// </summary>
public sealed record RamUser(uint Uid, uint Gid, string Name)
{
    public static RamUser Root { get; } = new(0, 0, "root");

    public bool IsRoot => Uid == 0;

    /// <summary>The client gave a numeric uid (9P2000.u/.L n_uname); its creates then carry the acting gid.</summary>
    public bool HasNumericId { get; init; }

    public bool InGroup(uint gid) => gid == Gid;
}
