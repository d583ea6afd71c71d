namespace Cheshire.Styx.Namespaces;

/// <summary>Plan 9 mount/bind flags: where a new tree goes in a union, and which layer receives creates.</summary>
[Flags]
public enum MountFlags
{
    /// <summary>MREPL: the tree replaces whatever the path showed before.</summary>
    Replace = 0,
    /// <summary>MBEFORE: the tree becomes the first layer of a union at the path.</summary>
    Before = 1,
    /// <summary>MAFTER: the tree becomes the last layer of a union at the path.</summary>
    After = 2,
    /// <summary>MCREATE: creates in the union directory go to this layer (the first such layer).</summary>
    Create = 4,
}

/// <summary>One layer of the mount table, as listed by <see cref="Namespace.List"/>.</summary>
/// <param name="Id">Unique for the life of the namespace; pass it to <see cref="Namespace.Unmount(long)"/>.</param>
/// <param name="Path">The absolute namespace path the tree is mounted on.</param>
/// <param name="Flags">The flags it was mounted with.</param>
/// <param name="Description">Free text given at mount time (for listings such as /proc/ns).</param>
public sealed record MountInfo(long Id, string Path, MountFlags Flags, string Description);
