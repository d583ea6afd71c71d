using Cheshire.Styx.Protocol;

namespace Cheshire.Styx.FileSystem.Synthetic;

/// <summary>Shared parts of synthetic files and directories.</summary>
public abstract class SyntheticNode : INode
{
    // Synthetic qid paths live in [2^47, 2^48): bits 48..63 stay zero for the namespace's mount tags, and the
    // namespace's own synthetic directories (tag 0) count up from 1, far below.
    private static long s_nextPath = 1L << 47;
    private readonly DateTimeOffset _created = DateTimeOffset.UtcNow;

    private protected SyntheticNode(string name, uint mode, QidType type)
    {
        Name = name;
        Mode = mode;
        Qid = new Qid(type, 0, (ulong)Interlocked.Increment(ref s_nextPath));
    }

    public string Name { get; }
    public uint Mode { get; }
    public Qid Qid { get; }
    public string Owner { get; init; } = "cheshire";
    /// <summary>The length stat reports: for generated files, the length of what an open would read now.</summary>
    protected abstract ulong Size { get; }

    public ValueTask<NodeAttributes> GetAttributesAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(new NodeAttributes
        {
            Qid = Qid, Name = Name, Mode = Mode, UserName = Owner, GroupName = Owner, ModifiedBy = Owner,
            Size = Size, AccessTime = DateTimeOffset.UtcNow, ModifyTime = _created, ChangeTime = _created,
            LinkCount = (Mode & UnixMode.TypeMask) == UnixMode.Directory ? 2UL : 1UL,
        });

    /// <summary>Truncation and time changes are accepted and ignored (so "echo cmd > ctl" works); the rest is refused.</summary>
    public ValueTask SetAttributesAsync(AttributeChanges changes, CancellationToken cancellationToken)
    {
        if (changes.Permissions is not null || changes.Uid is not null || changes.Gid is not null || changes.GroupName is not null)
            throw new StyxErrorException(Errno.EPERM);
        return ValueTask.CompletedTask;
    }

    public abstract ValueTask<IOpenFile> OpenAsync(OpenOptions options, CancellationToken cancellationToken);
}
