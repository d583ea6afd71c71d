using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Ram;

/// <summary>A regular file: its data lives while it has a name or an open handle.</summary>
internal sealed class RamFile(RamFileSystem fs, uint mode, uint uid, uint gid, DateTimeOffset now)
    : RamInode(fs, mode, uid, gid, now)
{
    public RamFileData Data { get; } = new(fs);

    /// <summary>Open handles (guarded by the tree lock).</summary>
    public int OpenCount { get; private set; }

    /// <summary>No name and no handle: the data is gone and nothing may open it again.</summary>
    public bool IsReleased { get; private set; }

    protected override QidType QidType => QidType.File;
    public override ulong Size => (ulong)Data.Length;

    public void Opened() => OpenCount++;

    public void Closed()
    {
        OpenCount--;
        ReleaseIfUnused();
    }

    public override void Unlinked() => ReleaseIfUnused();

    private void ReleaseIfUnused()
    {
        if (OpenCount > 0 || Links.Count > 0 || IsReleased) return;
        IsReleased = true;
        Data.Release();
    }
}
