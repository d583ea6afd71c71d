using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>A fifo, socket, or character or block device: only its type and device number live here; clients do the rest.</summary>
internal sealed class RamSpecialFile(RamFileSystem fs, uint mode, ulong rdev, uint uid, uint gid, DateTimeOffset now)
    : RamInode(fs, mode, uid, gid, now)
{
    protected override QidType QidType => QidType.File;
    public override ulong Size => 0;
    public override ulong Rdev { get; } = rdev;
}
