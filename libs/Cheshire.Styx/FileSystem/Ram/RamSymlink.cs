using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>A symbolic link: its target text (mode is always 0777, as on Linux).</summary>
internal sealed class RamSymlink(RamFileSystem fs, string target, uint uid, uint gid, DateTimeOffset now)
    : RamInode(fs, UnixMode.Symlink | 0x1FF, uid, gid, now)
{
    public string Target { get; } = target;

    protected override QidType QidType => QidType.Symlink;
    public override ulong Size => (ulong)System.Text.Encoding.UTF8.GetByteCount(Target);
    public override string SymlinkTarget => Target;
}
